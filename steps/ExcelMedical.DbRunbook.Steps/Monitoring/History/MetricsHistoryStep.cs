using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.History;
using ExcelMedical.DbRunbook.Steps.Monitoring.Alerts;

namespace ExcelMedical.DbRunbook.Steps.Monitoring.History;

/// <summary>Appends this run's samples to the metric CSV files (and optionally a Prometheus textfile).</summary>
[Step("metrics.history", "Append the metric samples to one CSV per metric (monitoring/metrics/*.csv), optionally a Prometheus textfile")]
public sealed class MetricsHistoryStep : Step<MetricsHistoryOptions>
{
    public override Task<StepPlan> PlanAsync(StepContext context, MetricsHistoryOptions options, CancellationToken cancellationToken)
    {
        var folder = context.ResolvePath(options.Folder);
        var actions = new List<string> { $"append this run's samples of {string.Join(", ", options.From)} to {folder}/<metric>.csv" };
        if (options.PrometheusFile is { Length: > 0 } prom)
        {
            actions.Add($"write the samples to the Prometheus textfile {context.ResolvePath(prom)}");
        }

        return Task.FromResult(new StepPlan(actions, new StepOutputs().Add("folder", folder)));
    }

    public override Task<StepOutputs> ExecuteAsync(StepContext context, MetricsHistoryOptions options, CancellationToken cancellationToken)
    {
        var samples = options.From
            .Select(id => context.EarlierStep(id) ?? throw new StepFailedException($"from names '{id}', which is not an earlier step of this playbook"))
            .Where(step => step.Status == StepStatus.Succeeded)
            .SelectMany(EvaluateAlertsStep.Samples)
            .ToList();
        var folder = context.ResolvePath(options.Folder);
        var now = context.Time.GetLocalNow();
        var files = MetricsCsvWriter.Append(context.Files, folder, now, samples);
        context.Log.Information("  {Rows} sample(s) appended to {Files} CSV file(s) in {Folder}", samples.Count, files.Count, folder);
        var outputs = new StepOutputs().Add("folder", folder).Add("rows", samples.Count).Add("files", files.Select(f => (object?)Path.GetFileName(f)).ToList());
        if (options.PrometheusFile is { Length: > 0 } prom)
        {
            var path = context.ResolvePath(prom);
            PrometheusTextfile.Write(context.Files, path, now, samples);
            outputs.Add("prometheus_file", path);
        }

        return Task.FromResult(outputs);
    }
}
