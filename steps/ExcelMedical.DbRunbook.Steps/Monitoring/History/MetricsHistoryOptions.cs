using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Engine.Options;

namespace ExcelMedical.DbRunbook.Steps.Monitoring.History;

public sealed class MetricsHistoryOptions
{
    [Required]
    [Description("Ids of the metric steps whose samples are recorded, e.g. [pg_metrics, mongo_metrics, system_metrics]; skipped or failed steps add nothing.")]
    [StepReference]
    public List<string> From { get; set; } = [];

    [Required]
    [Description("The folder of the CSV files, e.g. \"{{ vars.dir }}/metrics\": one <metric>.csv each (postgres_db_size.csv, postgres_connections.csv, mongo_db_size.csv, ...), a header row, one row per target per run.")]
    public string Folder { get; set; } = string.Empty;

    [Description("Also write the samples as a Prometheus textfile for node_exporter's textfile collector (e.g. /var/lib/node_exporter/textfile/runbook.prom).")]
    public string? PrometheusFile { get; set; }
}
