using System.ComponentModel;

namespace ExcelMedical.DbRunbook.Steps.Monitoring.Metrics;

public sealed class SystemMetricsOptions
{
    [Description("Folders whose disk usage is measured (statvfs, as df computes it), e.g. the PostgreSQL data directory and BACKUP_ROOT_DIR. A folder that does not exist yet is measured on its nearest existing parent.")]
    public List<string> Paths { get; set; } = ["/"];

    [Description("On the first run (no previous /proc/stat sample in the state) CPU is sampled over this long; later runs use the difference since the previous run.")]
    public TimeSpan FirstSample { get; set; } = TimeSpan.FromSeconds(1);

    [Description("The /proc folder to read (for tests and containers).")]
    public string Proc { get; set; } = "/proc";
}
