using System.Globalization;
using System.Text;
using ExcelMedical.DbRunbook.Engine.IO;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Metrics;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.History;

/// <summary>
/// The samples as a node_exporter textfile (<c>runbook_postgres_connections{target="db1:5432"} 12</c>),
/// written to a temporary name and renamed, as the textfile collector requires.
/// </summary>
internal static class PrometheusTextfile
{
    public static void Write(StepFiles files, string path, DateTimeOffset at, IEnumerable<MetricSample> samples)
    {
        var text = new StringBuilder();
        foreach (var group in samples.GroupBy(s => s.Metric, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var name = "runbook_" + string.Concat(group.Key.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_'));
            text.Append(CultureInfo.InvariantCulture, $"# TYPE {name} gauge\n");
            foreach (var sample in group.Where(s => !s.IsUnknown))
            {
                text.Append(CultureInfo.InvariantCulture, $"{name}{{target=\"{Escape(sample.Target)}\"}} {sample.Value!.Value.ToString("R", CultureInfo.InvariantCulture)}\n");
            }
        }

        text.Append("# TYPE runbook_metric_unknown gauge\n");
        foreach (var sample in samples.Where(s => s.IsUnknown))
        {
            text.Append(CultureInfo.InvariantCulture, $"runbook_metric_unknown{{metric=\"{Escape(sample.Metric)}\",target=\"{Escape(sample.Target)}\"}} 1\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"# TYPE runbook_monitor_last_run_timestamp_seconds gauge\nrunbook_monitor_last_run_timestamp_seconds {at.ToUnixTimeSeconds()}\n");
        // node_exporter runs as its own user and must read the file.
        files.WritePublicText(path, text.ToString());
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
