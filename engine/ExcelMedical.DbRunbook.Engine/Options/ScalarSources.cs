using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Templating;

namespace ExcelMedical.DbRunbook.Engine.Options;

/// <summary>Static validation: literal values are checked; templates are only known at run time.</summary>
internal sealed class LiteralScalarSource : IScalarSource
{
    public static LiteralScalarSource Instance { get; } = new();

    public bool TryResolve(ScalarNode node, out string? text)
    {
        text = node.Value;
        return !TemplateEngine.IsTemplate(node.Value);
    }
}

/// <summary>
/// Run time: every value is rendered against the run's scope, as a value that may be a path
/// (<see cref="TemplateEngine.RenderValue"/>); render errors are collected.
/// </summary>
internal sealed class RenderingScalarSource(TemplateEngine templates, TemplateScope scope) : IScalarSource
{
    public List<Diagnostic> Errors { get; } = [];

    public bool TryResolve(ScalarNode node, out string? text)
    {
        text = null;
        if (node.Value is null)
        {
            return true;
        }

        try
        {
            text = templates.RenderValue(node.Value, scope);
        }
        catch (TemplateException ex)
        {
            Errors.Add(new Diagnostic(node.Location, ex.Message));
        }

        return true;
    }
}
