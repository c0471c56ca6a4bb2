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
    /// <summary>
    /// Parsed templates kept for reuse. Bounded: a scheduler lives for months and reloads edited
    /// playbooks, and one large playbook can hold tens of thousands of templates.
    /// </summary>
    private const int MaxCachedTemplates = 10_000;

    private readonly ConcurrentDictionary<string, Template> _cache = new(StringComparer.Ordinal);
    private int _cached;

    /// <summary>Text without <c>{{</c> is a literal and is returned as written.</summary>
    public static bool IsTemplate(string? text) => text is not null && text.Contains("{{", StringComparison.Ordinal);

    /// <summary>Syntax errors of a template written at <paramref name="location"/>, pointing into the text where possible.</summary>
    public IReadOnlyList<Diagnostic> Check(string text, SourceLocation location, bool quoted) => Analyze(text, location, quoted).Errors;

    /// <summary>The step ids and variable names a template reads (<c>steps.x…</c>, <c>vars.y</c>).</summary>
    public TemplateReferences References(string text) => Analyze(text, SourceLocation.Unknown(string.Empty), quoted: false).References;

    /// <summary>
    /// Everything validation asks of a template from one parse, which is not cached: a playbook
    /// can hold tens of thousands of templates, and parsed templates are large (the cache is for
    /// rendering, where the same few templates come back); one parsed for rendering is reused.
    /// </summary>
    internal TemplateAnalysis Analyze(string text, SourceLocation location, bool quoted)
    {
        var template = _cache.TryGetValue(text, out var cached) ? cached : Template.Parse(text);
        if (template.HasErrors)
        {
            return new TemplateAnalysis(
                [.. template.Messages.Select(m => new Diagnostic(Inside(location, quoted, m.Span), "template error: " + m.Message))],
                new TemplateReferences([], []),
                null);
        }

        var collector = new ReferenceCollector();
        template.Page?.Accept(collector);

        // A misspelt member of a built-in object (date.to_strin) parses, then renders as nothing.
        var errors = collector.UnknownBuiltins.Select(u => new Diagnostic(
            Inside(location, quoted, u.Span),
            $"template error: '{u.Object}' has no member '{u.Member}'{DidYouMean.Hint(u.Member, BuiltinMembers.Of(u.Object)!)}"));
        return new TemplateAnalysis([.. errors], new TemplateReferences(collector.Steps, collector.Vars), LeadingValue.Of(text, template));
    }

    /// <summary>
    /// Renders a playbook value (a variable, the log path, a step option). Unlike a report, a value
    /// that starts with an expression and a '/' must not start with an empty expression: an unset
    /// <c>{{ env.ROOT }}/backups</c> would otherwise become <c>/backups</c> and write at the root.
    /// </summary>
    public string RenderValue(string text, TemplateScope scope)
    {
        var rendered = Render(text, scope, MaxValueRenderTime);
        if (IsTemplate(text) && rendered.StartsWith('/') && LeadingValue.Of(text, Parse(text)) is { StartsPath: true } leading
            && Render(leading.Prefix, scope, MaxValueRenderTime).Trim().Length == 0)
        {
            var names = string.Join(" and ", leading.Expressions.Select(e => $"'{e}'"));
            throw new TemplateException($"'{text}' starts with {names}, which is empty here (not set?), so the path would start at '/' as '{rendered}'; set it, or give a default with ?? (e.g. {{{{ env.X ?? '/var/backups' }}}})");
        }

        return rendered;
    }

    /// <summary>
    /// How long one playbook value (a variable, an option, the log path, a condition) may take to
    /// render: a loop that never ends must not hang a run, nor the scheduler, which renders a
    /// playbook's variables when it loads it (to learn its secrets). Reports are not bounded.
    /// </summary>
    public static readonly TimeSpan MaxValueRenderTime = TimeSpan.FromSeconds(10);

    /// <summary>Renders a template (a report, a notification) with no time limit.</summary>
    public string Render(string text, TemplateScope scope) => Render(text, scope, limit: null);

    private string Render(string text, TemplateScope scope, TimeSpan? limit)
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

        using var deadline = limit is { } time ? new CancellationTokenSource(time) : null;
        try
        {
            var context = NewContext(scope);
            context.CancellationToken = deadline?.Token ?? CancellationToken.None;
            return template.Render(context);
        }
        catch (ScriptAbortException ex) when (deadline?.IsCancellationRequested == true)
        {
            throw new TemplateException($"'{text}' took longer than {Duration.Format(limit!.Value)} to render; a playbook value must not loop for long", ex);
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
        var rendered = Render(AsTemplate(condition), scope, MaxValueRenderTime).Trim();
        return !(rendered.Length == 0 || rendered.Equals("false", StringComparison.OrdinalIgnoreCase) || rendered == "0"
            || rendered.Equals("no", StringComparison.OrdinalIgnoreCase) || rendered.Equals("off", StringComparison.OrdinalIgnoreCase)
            || rendered.Equals("null", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Wraps a bare condition in braces so it can be checked and rendered like any template.</summary>
    public static string AsTemplate(string condition) =>
        IsTemplate(condition) || condition.Trim() is "true" or "false" ? condition : "{{ " + condition + " }}";

    private Template Parse(string text)
    {
        if (_cache.TryGetValue(text, out var cached))
        {
            return cached;
        }

        // Counted here: ConcurrentDictionary.Count takes every lock and walks the table.
        if (Interlocked.Increment(ref _cached) > MaxCachedTemplates)
        {
            _cache.Clear();
            Interlocked.Exchange(ref _cached, 1);
        }

        return _cache.GetOrAdd(text, static t => Template.Parse(t));
    }

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

        public List<(string Object, string Member, SourceSpan Span)> UnknownBuiltins { get; } = [];

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
                else if (BuiltinMembers.Of(root.Name) is { } members && !members.Contains(name))
                {
                    UnknownBuiltins.Add((root.Name, name, member.Span));
                }
            }

            base.Visit(node);
        }
    }
}

public sealed record TemplateReferences(IReadOnlyList<string> Steps, IReadOnlyList<string> Vars);

/// <summary>What validation learns from one parse of a template: its errors, what it reads, how it starts.</summary>
internal sealed record TemplateAnalysis(IReadOnlyList<Diagnostic> Errors, TemplateReferences References, LeadingValue? Leading);
