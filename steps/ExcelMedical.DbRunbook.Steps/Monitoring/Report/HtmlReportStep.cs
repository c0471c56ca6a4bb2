using ExcelMedical.DbRunbook.Engine.IO;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.History;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Report;

namespace ExcelMedical.DbRunbook.Steps.Monitoring.Report;

/// <summary>
/// The HTML monitoring report: a chart of every metric's history from the CSV files and the
/// capacity forecast (database and disk growth per day, days until the disk threshold).
/// </summary>
[Step("monitor.html_report", "Write an HTML report: SVG charts of every metric's CSV history and a capacity forecast (growth per day, days until the disk threshold)")]
public sealed class HtmlReportStep : Step<HtmlReportOptions>
{
    public override Task<StepPlan> PlanAsync(StepContext context, HtmlReportOptions options, CancellationToken cancellationToken)
    {
        var folder = context.ResolvePath(options.Folder);
        var output = context.ResolvePath(options.Output);
        return Task.FromResult(StepPlan.Of(
            new StepOutputs().Add("file", output),
            $"chart the last {options.Days} days of {folder}/*.csv and forecast capacity to {options.DiskThreshold:0.#}% disk usage into {output}"));
    }

    public override Task<StepOutputs> ExecuteAsync(StepContext context, HtmlReportOptions options, CancellationToken cancellationToken)
    {
        var folder = context.ResolvePath(options.Folder);
        var output = context.ResolvePath(options.Output);
        var now = context.Time.GetLocalNow();
        var metrics = MetricHistory.ReadFolder(folder, now.DateTime.AddDays(-options.Days), context.Time.LocalTimeZone);
        var dataDisks = options.DataDisks
            .Where(d => d.Value is { Length: > 0 })
            .ToDictionary(d => d.Key, d => context.ResolvePath(d.Value), StringComparer.Ordinal);
        var forecast = CapacityForecast.Build(metrics, new CapacitySettings(options.GrowthMetrics, options.DiskThreshold, dataDisks));
        var page = new HtmlReportPage(options.Title, now, folder, options.Days, metrics, forecast, options.DiskThreshold, new ChartStyle(options.MaxPoints, options.MaxSeries));
        var html = HtmlReportWriter.Write(page, context.Secrets.Apply);

        context.Files.WriteText(output, html);
        context.Log.Information("  {Charts} chart(s) and {Rows} forecast row(s) written to {File}", metrics.Count, forecast.Count, output);
        foreach (var row in forecast.Where(r => r.DaysLeft is not null))
        {
            context.Log.Information("  {Row}: {Growth}/day, {Days:0} days until {Disk} reaches {Threshold:0.#}%", row.Label, Engine.Model.ByteSize.Format(row.PerDay ?? 0), row.DaysLeft, row.Disk, options.DiskThreshold);
        }

        return Task.FromResult(new StepOutputs()
            .Add("file", output)
            .Add("size_bytes", new FileInfo(output).Length)
            .Add("charts", metrics.Count)
            .Add("forecast", forecast.Select(r => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["kind"] = r.Kind,
                ["engine"] = r.Engine,
                ["label"] = r.Label,
                ["name"] = r.Name,
                ["metric"] = r.Metric,
                ["now"] = r.Now,
                ["growth_per_day"] = r.PerDay,
                ["disk"] = r.Disk,
                ["days_left"] = r.DaysLeft,
                ["note"] = r.Note,
            }).ToList()));
    }
}
