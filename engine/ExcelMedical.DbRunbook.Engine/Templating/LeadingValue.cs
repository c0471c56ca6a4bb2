using Scriban;
using Scriban.Syntax;

namespace ExcelMedical.DbRunbook.Engine.Templating;

/// <summary>
/// The expressions a template begins with and the text right after them: for
/// <c>{{ env.ROOT }}/backups</c>, <c>env.ROOT</c> and <c>/backups</c>. When such a value starts
/// with '/' and its expressions are empty, the result is an absolute path at the file system's
/// root that nobody wrote. <see cref="Prefix"/> is the template text of the leading expressions,
/// to render on their own.
/// </summary>
internal sealed record LeadingValue(string Prefix, IReadOnlyList<ScriptExpression> Expressions, string Rest)
{
    /// <summary>The value is a path from its leading expressions: <c>{{ x }}/...</c>.</summary>
    public bool StartsPath => Rest.StartsWith('/');

    /// <summary>The value is nothing but its expressions: <c>{{ x }}</c>.</summary>
    public bool IsWhole => Rest.Length == 0;

    /// <summary>Null when the template starts with text or with a statement (if, for ...) whose output cannot be judged alone.</summary>
    public static LeadingValue? Of(string text, Template template)
    {
        if (template.HasErrors || template.Page?.Body is not { } body)
        {
            return null;
        }

        var expressions = new List<ScriptExpression>();
        foreach (var statement in body.Statements)
        {
            switch (statement)
            {
                case ScriptEscapeStatement:
                    continue;
                case ScriptExpressionStatement { Expression: { } expression }:
                    expressions.Add(expression);
                    continue;
                case ScriptRawStatement raw when expressions.Count > 0 && raw.Span.Start.Offset <= text.Length:
                    return new LeadingValue(text[..raw.Span.Start.Offset], expressions, raw.Text.ToString());
                default:
                    return null;
            }
        }

        return expressions.Count > 0 ? new LeadingValue(text, expressions, string.Empty) : null;
    }
}
