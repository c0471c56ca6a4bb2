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
        Assert.Equal(["timestamp,target,value,unit", "2026-11-25 10:15:00,excel_medical,1000,bytes", "2026-11-25 10:30:00,excel_medical,1001,bytes", "2026-11-25 10:45:00,excel_medical,1002,bytes"], lines);
    }

    [Fact]
    public void A_file_with_another_header_is_left_alone_and_the_rows_go_to_a_suffixed_file()
    {
        var old = _dir.Write("postgres_connections.csv", "date,connections\n2026-11-24,12\n");

        MetricsCsvWriter.Append(Files, _dir.Path, At, [new MetricSample("postgres.connections", "db1:5432", 12, "connections")]);

        Assert.Equal("date,connections\n2026-11-24,12\n", File.ReadAllText(old));
        Assert.Equal(["timestamp,target,value,unit", "2026-11-25 10:15:00,db1:5432,12,connections"], File.ReadAllLines(Path.Combine(_dir.Path, "postgres_connections.2.csv")));
    }

    [Fact]
    public void An_unknown_sample_is_a_row_without_a_value_and_the_prometheus_file_flags_it()
    {
        var samples = new[] { MetricSample.Unknown("mongo.connections", "db1:27017", "connection refused"), new MetricSample("system.cpu_pct", "host", 12.5, "percent") };

        MetricsCsvWriter.Append(Files, _dir.Path, At, samples);
        PrometheusTextfile.Write(Files, _dir["runbook.prom"], At, samples);

        Assert.Equal("2026-11-25 10:15:00,db1:27017,,", File.ReadAllLines(Path.Combine(_dir.Path, "mongo_connections.csv"))[1]);
        var prom = File.ReadAllText(_dir["runbook.prom"]);
        Assert.Contains("runbook_system_cpu_pct{target=\"host\"} 12.5", prom, StringComparison.Ordinal);
        Assert.Contains("runbook_metric_unknown{metric=\"mongo.connections\",target=\"db1:27017\"} 1", prom, StringComparison.Ordinal);
    }
}
