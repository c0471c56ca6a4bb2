using ExcelMedical.DbRunbook.Engine.IO;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Engine.Templating;

namespace ExcelMedical.DbRunbook.Steps.Reports;

/// <summary>Renders a Scriban template with the run model (run, vars, env, steps) into a file.</summary>
[Step("report.render", "Render a Scriban template file with the run's results into a report file")]
public sealed class RenderReportStep : Step<RenderReportOptions>
{
    public override async Task<StepPlan> PlanAsync(StepContext context, RenderReportOptions options, CancellationToken cancellationToken)
    {
        var template = context.ResolvePath(options.Template);
        var output = context.ResolvePath(options.Output);
        if (!File.Exists(template))
        {
            throw new StepFailedException($"the template {template} does not exist");
        }

        var errors = context.Templates.Check(await File.ReadAllTextAsync(template, cancellationToken), new Engine.Model.SourceLocation(template, 1, 1), quoted: false);
        if (errors.Count > 0)
        {
            throw new StepFailedException(string.Join("; ", errors));
        }

        return StepPlan.Of(new StepOutputs().Add("file", output), $"render {template} to {output}");
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, RenderReportOptions options, CancellationToken cancellationToken)
    {
        var template = context.ResolvePath(options.Template);
        var output = context.ResolvePath(options.Output);
        string text;
        try
        {
            text = await File.ReadAllTextAsync(template, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            throw new StepFailedException($"the template {template} does not exist");
        }

        string rendered;
        try
        {
            rendered = context.Templates.Render(text, context.Scope);
        }
        catch (TemplateException ex)
        {
            throw new StepFailedException($"{template}: {ex.Message}", ex);
        }

        context.Files.WriteText(output, rendered);
        context.Log.Information("  report written to {File}", output);
        return new StepOutputs().Add("file", output).Add("size_bytes", new FileInfo(output).Length);
    }
}
