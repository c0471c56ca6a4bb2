using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace ExcelMedical.DbRunbook.Steps.Monitoring.Report;

public sealed class HtmlReportOptions
{
    [Required]
    [Description("The folder of the metric CSV files metrics.history writes, e.g. \"{{ vars.dir }}/metrics\".")]
    public string Folder { get; set; } = string.Empty;

    [Required]
    [Description("The HTML file to write, e.g. \"{{ vars.dir }}/monitoring_report_{{ vars.stamp }}.html\": one self-contained page (inline SVG charts, no script, nothing fetched), created 0600.")]
    public string Output { get; set; } = string.Empty;

    [Description("The page's title.")]
    public string Title { get; set; } = "Excel Medical database monitoring";

    [Range(1, 3650)]
    [Description("The period charted and used for the growth trends, in days back from now.")]
    public int Days { get; set; } = 30;

    [Range(1, 100)]
    [Description("The disk usage (percent) the forecast counts the days to: the disk alert's critical level (the guide's 80%).")]
    public double DiskThreshold { get; set; } = 80;

    [Description("Size metrics (bytes) forecast as database growth.")]
    public List<string> GrowthMetrics { get; set; } = ["postgres.db_size", "mongo.storage_size"];

    [Description("For each growth metric, the folder that holds its data as given to system.metrics paths, e.g. { postgres.db_size: \"{{ env.PG_DATA_DIR }}\" }: the database's days left are counted on that disk's headroom. When empty and system.metrics measures one disk only, that disk is used for every database.")]
    public Dictionary<string, string> DataDisks { get; set; } = new(StringComparer.Ordinal);

    [Range(10, 100_000)]
    [Description("At most this many points per line; longer histories are thinned keeping their shape (largest triangle three buckets).")]
    public int MaxPoints { get; set; } = 600;

    [Range(1, 50)]
    [Description("At most this many targets per chart (e.g. bloat of many tables): those with the highest latest values.")]
    public int MaxSeries { get; set; } = 8;
}
