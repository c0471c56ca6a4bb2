using ExcelMedical.DbRunbook.Engine.IO;
using ExcelMedical.DbRunbook.Engine.Secrets;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.History;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Metrics;
using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Monitoring;

public sealed class MetricsHistoryTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 10, 15, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    private static readonly StepFiles Files = new(new SecretMasker());

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Each_run_appends_one_row_per_target_under_one_stable_header()
    {
        for (var run = 0; run < 3; run++)
        {
            MetricsCsvWriter.Append(Files, _dir.Path, At.AddMinutes(15 * run), [new MetricSample("postgres.db_size", "excel_medical", 1000 + run, "bytes")]);
        }

        var lines = File.ReadAllLines(Path.Combine(_dir.Path, "postgres_db_size.csv"));
        Assert.Equal(["timestamp,target,value,unit", "2026-11-25 10:15:00+00:00,excel_medical,1000,bytes", "2026-11-25 10:30:00+00:00,excel_medical,1001,bytes", "2026-11-25 10:45:00+00:00,excel_medical,1002,bytes"], lines);
    }

    [Fact]
    public void A_file_with_another_header_is_left_alone_and_the_rows_go_to_a_suffixed_file()
    {
        var old = _dir.Write("postgres_connections.csv", "date,connections\n2026-11-24,12\n");

        MetricsCsvWriter.Append(Files, _dir.Path, At, [new MetricSample("postgres.connections", "db1:5432", 12, "connections")]);

        Assert.Equal("date,connections\n2026-11-24,12\n", File.ReadAllText(old));
        Assert.Equal(["timestamp,target,value,unit", "2026-11-25 10:15:00+00:00,db1:5432,12,connections"], File.ReadAllLines(Path.Combine(_dir.Path, "postgres_connections.2.csv")));
    }

    [Fact]
    public void An_unknown_sample_is_a_row_without_a_value_and_the_prometheus_file_flags_it()
    {
        var samples = new[] { MetricSample.Unknown("mongo.connections", "db1:27017", "connection refused"), new MetricSample("system.cpu_pct", "host", 12.5, "percent") };

        MetricsCsvWriter.Append(Files, _dir.Path, At, samples);
        PrometheusTextfile.Write(Files, _dir["runbook.prom"], At, samples);

        Assert.Equal("2026-11-25 10:15:00+00:00,db1:27017,,", File.ReadAllLines(Path.Combine(_dir.Path, "mongo_connections.csv"))[1]);
        var prom = File.ReadAllText(_dir["runbook.prom"]);
        Assert.Contains("runbook_system_cpu_pct{target=\"host\"} 12.5", prom, StringComparison.Ordinal);
        Assert.Contains("runbook_metric_unknown{metric=\"mongo.connections\",target=\"db1:27017\"} 1", prom, StringComparison.Ordinal);
    }

    [Fact]
    public void Timestamps_carry_their_utc_offset_and_files_written_before_without_one_are_still_read()
    {
        // An older file: local wall-clock times without an offset.
        _dir.Write("postgres_db_size.csv", "timestamp,target,value,unit\n2026-10-25 01:30:00,excel_medical,900,bytes\n");
        var summer = new DateTimeOffset(2026, 10, 25, 1, 45, 0, TimeSpan.FromHours(1));
        var winter = new DateTimeOffset(2026, 10, 25, 1, 15, 0, TimeSpan.Zero);

        // The hour repeated when clocks go back: 01:45 BST, then 01:15 GMT half an hour later.
        MetricsCsvWriter.Append(Files, _dir.Path, summer, [new MetricSample("postgres.db_size", "excel_medical", 1000, "bytes")]);
        MetricsCsvWriter.Append(Files, _dir.Path, winter, [new MetricSample("postgres.db_size", "excel_medical", 1100, "bytes")]);

        var lines = File.ReadAllLines(Path.Combine(_dir.Path, "postgres_db_size.csv"));
        Assert.Equal(["timestamp,target,value,unit", "2026-10-25 01:30:00,excel_medical,900,bytes", "2026-10-25 01:45:00+01:00,excel_medical,1000,bytes", "2026-10-25 01:15:00+00:00,excel_medical,1100,bytes"], lines);
        var read = MetricsCsvWriter.Read(Path.Combine(_dir.Path, "postgres_db_size.csv"), TimeZoneInfo.Utc).ToList();
        Assert.Equal([new DateTime(2026, 10, 25, 1, 30, 0), new DateTime(2026, 10, 25, 0, 45, 0), new DateTime(2026, 10, 25, 1, 15, 0)], read.Select(r => r.At));
        Assert.Equal([900.0, 1000.0, 1100.0], read.Select(r => r.Value!.Value));
        var series = Assert.Single(MetricHistory.ReadFolder(_dir.Path, new DateTime(2026, 10, 1), TimeZoneInfo.Utc)).Series.Single();
        Assert.Equal([1000.0, 1100.0, 900.0], series.Points.Select(p => p.Value));
    }
}
