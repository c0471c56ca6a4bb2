using System.Collections.Concurrent;
using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;
using Scriban;
using Scriban.Parsing;
using Scriban.Syntax;

namespace ExcelMedical.DbRunbook.Engine.Templating;

/// <summary>
/// Scriban, the one templating language of playbook values and report files. Templates are
/// parsed once and cached; rendering never writes to the console and never touches the clock.
/// </summary>
public sealed class TemplateEngine
{
    private readonly ConcurrentDictionary<string, Template> _cache = new(StringComparer.Ordinal);

    /// <summary>Text without <c>{{</c> is a literal and is returned as written.</summary>
    public static bool IsTemplate(string? text) => text is not null && text.Contains("{{", StringComparison.Ordinal);

    /// <summary>Syntax errors of a template written at <paramref name="location"/>, pointing into the text where possible.</summary>
    public IReadOnlyList<Diagnostic> Check(string text, SourceLocation location, bool quoted)
    {
        var template = Parse(text);
        if (!template.HasErrors)
        {
            return [];
        }

        return [.. template.Messages.Select(m => new Diagnostic(Inside(location, quoted, m.Span), "template error: " + m.Message))];
    }

    /// <summary>The step ids and variable names a template reads (<c>steps.x…</c>, <c>vars.y</c>).</summary>
    public TemplateReferences References(string text)
    {
        var template = Parse(text);
        var collector = new ReferenceCollector();
        if (!template.HasErrors)
        {
            template.Page?.Accept(collector);
        }

        return new TemplateReferences(collector.Steps, collector.Vars);
    }

    public string Render(string text, TemplateScope scope)
    {
        if (!IsTemplate(text))
        {
            return text;
        }

        var template = Parse(text);
        if (template.HasErrors)
        {
            throw new TemplateException($"template error in '{text}': {string.Join("; ", template.Messages.Select(m => m.Message))}");
        }

        try
        {
            return template.Render(NewContext(scope));
        }
        catch (Exception ex) when (ex is Scriban.Syntax.ScriptRuntimeException or InvalidOperationException or ArgumentException or FormatException or ArithmeticException)
        {
            throw new TemplateException($"cannot render '{text}': {ex.Message}", ex);
        }
    }

    /// <summary>
    /// A condition: a template (<c>{{ env.X != null }}</c>) or a bare expression (<c>run.status == 'failed'</c>),
    /// rendered and read as true unless empty, false, 0, no or off.
    /// </summary>
    public bool IsTrue(string condition, TemplateScope scope)
    {
        var rendered = Render(AsTemplate(condition), scope).Trim();
        return !(rendered.Length == 0 || rendered.Equals("false", StringComparison.OrdinalIgnoreCase) || rendered == "0"
            || rendered.Equals("no", StringComparison.OrdinalIgnoreCase) || rendered.Equals("off", StringComparison.OrdinalIgnoreCase)
            || rendered.Equals("null", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Wraps a bare condition in braces so it can be checked and rendered like any template.</summary>
    public static string AsTemplate(string condition) =>
        IsTemplate(condition) || condition.Trim() is "true" or "false" ? condition : "{{ " + condition + " }}";

    private Template Parse(string text) => _cache.GetOrAdd(text, static t => Template.Parse(t));

    private static TemplateContext NewContext(TemplateScope scope)
    {
        var context = new TemplateContext
        {
            StrictVariables = false,
            EnableRelaxedMemberAccess = true,
            MemberRenamer = member => member.Name,
            // Reports iterate over every table of a database; Scriban's default of 1000 is too low.
            LoopLimit = 1_000_000,
        };
        context.PushCulture(CultureInfo.InvariantCulture);
        context.PushGlobal(scope.Globals);
        return context;
    }

    private static SourceLocation Inside(SourceLocation location, bool quoted, SourceSpan span)
    {
        // A one-line value: point at the column inside it. A block value: at the line within it.
        return span.Start.Line == 0
            ? location with { Column = location.Column + (quoted ? 1 : 0) + span.Start.Column }
            : location with { Line = location.Line + span.Start.Line, Column = span.Start.Column + 1 };
    }

    private sealed class ReferenceCollector : ScriptVisitor
    {
        public List<string> Steps { get; } = [];

        public List<string> Vars { get; } = [];

        public override void Visit(ScriptMemberExpression node)
        {
            if (node.Target is ScriptVariableGlobal root && node.Member is { } member)
            {
                var name = member.ToString();
                if (root.Name == "steps")
                {
                    Steps.Add(name);
                }
                else if (root.Name == "vars")
                {
                    Vars.Add(name);
                }
            }

            base.Visit(node);
        }
    }
}

public sealed record TemplateReferences(IReadOnlyList<string> Steps, IReadOnlyList<string> Vars);
