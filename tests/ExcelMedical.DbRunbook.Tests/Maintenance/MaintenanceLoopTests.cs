using System.Text.Json;
using System.Text.RegularExpressions;
using ExcelMedical.DbRunbook.Steps.Maintenance;
using ExcelMedical.DbRunbook.Steps.Monitoring.Metrics;
using ExcelMedical.DbRunbook.Tests.Support;
using Npgsql;

namespace ExcelMedical.DbRunbook.Tests.Maintenance;

/// <summary>
/// The guide's loop, with the shipped playbooks on the sample database: the monitor flags a bloated
/// table, the weekly maintenance repairs it, and the next monitor run finds it resolved; or the
/// maintenance report names it with the reason it was left.
/// </summary>
public sealed class MaintenanceLoopTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Reference = ReferenceClock.Sunday;

    /// <summary>The week's backlog, confirmed as the held-back purge's warning says, so that the purge adds its own bloat.</summary>
    private const string AllLogTables = "allow_large_delete=audit_logs,application_logs,page_views,job_views,user_searches";

    private readonly TempDirectory _dir = new();
    private FreshDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await FreshDatabase.WithSampleDataAsync(Reference, "loop");

        // The planted bloat: every application updated nine times, then vacuumed. The table is ten
        // times the size its rows need and VACUUM cannot give that back.
        for (var update = 0; update < 9; update++)
        {
            await _database.ExecuteAsync("UPDATE applications SET updated_at = updated_at + interval '1 second'");
        }

        await _database.ExecuteAsync("VACUUM (ANALYZE) applications");
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        _dir.Dispose();
    }

    private RunbookCliHarness Cli(DateTimeOffset at)
    {
        var environment = _database.GuideEnvironment();
        environment["LOG_ROOT_DIR"] = _dir["logs"];
        environment["BACKUP_ROOT_DIR"] = _dir["backups"];
        environment["PG_DATA_DIR"] = _dir.Path;
        return new RunbookCliHarness(_dir["state"], environment, new ReferenceClock(at));
    }

    private static string Shipped(string playbook) => RepositoryRoot.File($"playbooks/{playbook}.yaml");

    private async Task<HashSet<string>> MonitorAsync(DateTimeOffset at)
    {
        var result = await Cli(at).RunAsync("run", Shipped("monitor"));
        Assert.True(result.ExitCode == 0, result.All);
        return FiringBloat(RunRecords.Latest(_dir["state"], "monitor"));
    }

    /// <summary>The tables whose postgres.bloat_pct alert is firing after a monitor run, as schema.table.</summary>
    private HashSet<string> FiringBloat(JsonElement monitor) => monitor.Step("evaluate").GetProperty("outputs").GetProperty("alerts").EnumerateArray()
        .Select(a => a.GetProperty("key").GetString()!)
        .Where(k => k.StartsWith($"postgres.bloat_pct:{_database.Name}.", StringComparison.Ordinal))
        .Select(k => k[$"postgres.bloat_pct:{_database.Name}.".Length..])
        .ToHashSet(StringComparer.Ordinal);

    private string MaintenanceReport() => File.ReadAllText(Directory.GetFiles(_dir["logs/maintenance"], "maintenance_report_*.txt").Single());

    [Fact]
    public async Task A_bloat_alert_fired_by_the_monitor_is_resolved_by_the_monitor_run_after_maintenance()
    {
        var before = await MonitorAsync(Reference.AddMinutes(-15));
        Assert.Contains("public.applications", before);

        var maintenance = await Cli(Reference).RunAsync("run", Shipped("maintenance"), "--var", AllLogTables);

        Assert.True(maintenance.ExitCode == 0, maintenance.All);
        var record = RunRecords.Latest(_dir["state"], "maintenance");
        Assert.Equal("succeeded", record.GetProperty("status").GetString());
        var repaired = record.Step("pg_bloat").GetProperty("outputs").GetProperty("repaired").EnumerateArray().Select(r => r.GetString()!).ToList();
        Assert.Contains($"{_database.Name}:public.applications", repaired);
        Assert.Contains($"rewritten {_database.Name}:public.applications", MaintenanceReport());

        // The purges ran first and the tables they bloated were rewritten too: nothing fires now.
        var after = await MonitorAsync(Reference.AddMinutes(15));
        Assert.Empty(after);
        var resolved = RunRecords.Latest(_dir["state"], "monitor").GetProperty("alerts").EnumerateArray()
            .Where(a => a.GetProperty("transition").GetString() == "resolved")
            .Select(a => a.GetProperty("key").GetString())
            .ToList();
        Assert.Contains($"postgres.bloat_pct:{_database.Name}.public.applications", resolved);
    }

    [Fact]
    public async Task A_flagged_table_that_maintenance_has_to_leave_is_named_in_its_report_with_the_reason_and_keeps_firing()
    {
        var before = await MonitorAsync(Reference.AddMinutes(-15));
        Assert.Contains("public.applications", before);

        // Someone reads applications in a long transaction: VACUUM FULL cannot get its lock.
        await using var reader = new NpgsqlConnection(_database.ConnectionString);
        await reader.OpenAsync();
        await using var transaction = await reader.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("LOCK TABLE applications IN ACCESS SHARE MODE", reader, transaction))
        {
            await hold.ExecuteNonQueryAsync();
        }

        var maintenance = await Cli(Reference).RunAsync("run", Shipped("maintenance"), "--var", AllLogTables);
        await transaction.RollbackAsync();

        Assert.True(maintenance.ExitCode == 0, maintenance.All);
        var record = RunRecords.Latest(_dir["state"], "maintenance");
        Assert.Equal("warning", record.GetProperty("status").GetString());
        var report = MaintenanceReport();
        Assert.Contains("Outcome:   WARNING", report);
        Assert.Matches($@"LEFT      {_database.Name}:public\.applications \(\d+(\.\d)?% wasted\): lock not granted: no ACCESS EXCLUSIVE lock within lock_timeout 5s", report);

        // Every alert firing before is either resolved now or named in the report with its reason.
        var after = await MonitorAsync(Reference.AddMinutes(15));
        Assert.Contains("public.applications", after);
        foreach (var table in before.Where(after.Contains))
        {
            Assert.Contains($"LEFT      {_database.Name}:{table} (", report);
        }
    }

    [Fact]
    public void The_shipped_monitor_and_maintenance_share_one_bloat_level_and_one_measure()
    {
        var monitor = File.ReadAllText(Shipped("monitor"));
        var maintenance = File.ReadAllText(Shipped("maintenance"));
        var level = Regex.Match(monitor, @"(?m)^  bloat_alert_percent: (\d+)").Groups[1].Value;

        Assert.Equal("30", level);
        Assert.Equal(level, Regex.Match(maintenance, @"(?m)^  bloat_alert_percent: (\d+)").Groups[1].Value);
        Assert.Contains("postgres.bloat_pct: { warning: \"{{ vars.bloat_alert_percent }}\"", monitor);
        Assert.Contains("min_bloat_percent: \"{{ vars.bloat_alert_percent }}\"", maintenance);
        foreach (var text in new[] { monitor, maintenance })
        {
            Assert.DoesNotContain("min_pages:", text);
            Assert.DoesNotContain("use_pgstattuple:", text);
        }

        Assert.Equal(new PostgresMetricsOptions().BloatMinPages, new PostgresVacuumFullOptions().MinPages);
        Assert.Equal(new PostgresMetricsOptions().UsePgstattuple, new PostgresVacuumFullOptions().UsePgstattuple);
    }
}
