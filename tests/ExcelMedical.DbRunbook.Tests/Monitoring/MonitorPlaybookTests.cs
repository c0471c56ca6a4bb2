using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Monitoring;

/// <summary>The shipped playbooks/monitor.yaml against the PostgreSQL fixture: the guide's file layout and the report.</summary>
public sealed class MonitorPlaybookTests(SampleDatabase database) : IClassFixture<SampleDatabase>, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_shipped_playbook_writes_the_log_the_report_and_one_csv_row_per_run_where_the_guide_says()
    {
        var environment = database.GuideEnvironment();
        environment["LOG_ROOT_DIR"] = _dir["log"];
        environment["BACKUP_ROOT_DIR"] = _dir["backups"];
        var cli = new RunbookCliHarness(_dir["state"], environment);
        var playbook = Path.Combine(RepositoryRoot.Path, "playbooks", "monitor.yaml");

        var first = await cli.RunAsync("run", playbook, "--env-file", _dir.Write("empty.env", string.Empty));
        var second = await cli.RunAsync("run", playbook, "--env-file", _dir["empty.env"]);

        Assert.True(first.ExitCode == 0, first.All);
        Assert.True(second.ExitCode == 0, second.All);
        var folder = Path.Combine(_dir["log"], "monitoring");
        Assert.Equal(2, Directory.GetFiles(folder, "db_monitor_*.log").Length);
        var report = File.ReadAllText(Directory.GetFiles(folder, "monitoring_report_*.txt").Order(StringComparer.Ordinal).Last());
        Assert.Contains("Database size:", report, StringComparison.Ordinal);
        Assert.Contains("Skipped: MONGO_URI is not set.", report, StringComparison.Ordinal);
        Assert.Contains("CPU:", report, StringComparison.Ordinal);
        var html = Directory.GetFiles(folder, "monitoring_report_*.html").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, html.Count);
        Assert.Contains($"Charts and forecast: {html[^1]}", report, StringComparison.Ordinal);
        var page = System.Xml.Linq.XDocument.Parse(File.ReadAllText(html[^1]));
        Assert.Contains(page.Descendants(), e => e.Name.LocalName == "figure" && e.Attribute("data-metric")?.Value == "postgres.db_size");
        Assert.Contains(page.Descendants(), e => e.Name.LocalName == "tr" && e.Attribute("data-name")?.Value == database.Name);
        foreach (var csv in new[] { "postgres_db_size.csv", "postgres_connections.csv", "system_cpu_pct.csv", "system_memory_pct.csv" })
        {
            var lines = File.ReadAllLines(Path.Combine(folder, "metrics", csv));
            Assert.Equal("timestamp,target,value,unit", lines[0]);
            Assert.Equal(3, lines.Length);
        }

        // Two disks (the data folder and BACKUP_ROOT_DIR), two runs.
        Assert.Equal(5, File.ReadAllLines(Path.Combine(folder, "metrics", "system_disk_used_bytes.csv")).Length);
    }
}
