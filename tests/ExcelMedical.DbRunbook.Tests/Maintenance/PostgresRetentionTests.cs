using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ExcelMedical.DbRunbook.Testing.Postgres;
using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Maintenance;

/// <summary>
/// postgres.retention against a fresh sample database per test (purges delete rows), run at the
/// sample data's reference time so every cutoff, and so every expected count, is exact.
/// </summary>
public sealed class PostgresRetentionTests : IAsyncLifetime
{
    /// <summary>The guide's PostgreSQL retention periods.</summary>
    private static readonly Dictionary<string, int> GuidePeriods = new(StringComparer.Ordinal)
    {
        ["audit_logs"] = 365,
        ["application_logs"] = 90,
        ["page_views"] = 180,
        ["job_views"] = 180,
        ["user_searches"] = 90,
    };

    private static readonly DateTimeOffset Reference = ReferenceClock.Sunday;

    private readonly TempDirectory _dir = new();
    private FreshDatabase _database = null!;

    public async Task InitializeAsync() => _database = await FreshDatabase.WithSampleDataAsync(Reference);

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        _dir.Dispose();
    }

    private RunbookCliHarness Cli() => new(_dir["state"], _database.GuideEnvironment(), new ReferenceClock(Reference));

    private static DateTimeOffset Cutoff(int days) => Reference - TimeSpan.FromDays(days);

    private static string TableList(IEnumerable<(string Table, string Column, int Days, string Extra)> tables) =>
        string.Join("\n", tables.Select(t => $"        - {{ table: {t.Table}, column: {t.Column}, days: {t.Days}{t.Extra} }}"));

    private string Playbook(string tables, string options = "max_delete_share: 0.9") => _dir.Write("retention.yaml", $$"""
        name: retention
        vars:
          allow_large_delete: ""
        {{FreshDatabase.Connections}}
        steps:
          - id: purge
            uses: postgres.retention
            with:
              batch_size: 1000
              batch_pause: 10ms
              {{options}}
              tables:
        {{tables}}
        """);

    private string GuidePlaybook() => Playbook(TableList(GuidePeriods.Select(p => (p.Key, "created_at", p.Value, string.Empty))));

    private static JsonElement TableOutput(JsonElement step, string table) =>
        step.GetProperty("outputs").GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("table").GetString() == table);

    [Fact]
    public async Task Retention_deletes_exactly_the_rows_older_than_the_cutoff_in_every_table_and_not_one_newer()
    {
        var before = new Dictionary<string, (long Older, long Newer)>(StringComparer.Ordinal);
        foreach (var (table, days) in GuidePeriods)
        {
            before[table] = await _database.CountByDateAsync(table, "created_at", Cutoff(days));
            Assert.Equal(SampleData.LogRowsOlderThan(table, 1, TimeSpan.FromDays(days)), before[table].Older);
            Assert.True(before[table].Newer > 0);
        }

        var result = await Cli().RunAsync("run", GuidePlaybook());

        Assert.True(result.ExitCode == 0, result.All);
        var step = RunRecords.Latest(_dir["state"], "retention").Step("purge");
        foreach (var (table, days) in GuidePeriods)
        {
            var after = await _database.CountByDateAsync(table, "created_at", Cutoff(days));
            Assert.Equal(0, after.Older);
            Assert.Equal(before[table].Newer, after.Newer);
            Assert.Equal(before[table].Older, TableOutput(step, table).GetProperty("rows_deleted").GetInt64());
        }

        Assert.Equal(before.Values.Sum(c => c.Older), step.GetProperty("outputs").GetProperty("rows_deleted").GetInt64());
        var expectedRows = SampleData.ExpectedRowCounts(1);
        var counts = await _database.RowCountsAsync();
        foreach (var table in SampleData.Tables.Where(t => !GuidePeriods.ContainsKey(t)))
        {
            Assert.Equal(expectedRows[table], counts[table]);
        }
    }

    [Fact]
    public async Task The_dry_run_deletes_nothing_and_reports_the_counts_the_real_run_then_deletes()
    {
        var playbook = GuidePlaybook();
        var untouched = await _database.RowCountsAsync();

        var dryRun = await Cli().RunAsync("run", playbook, "--dry-run");

        Assert.True(dryRun.ExitCode == 0, dryRun.All);
        Assert.Equal(untouched, await _database.RowCountsAsync());
        // A dry run leaves no run record: the plan is what it prints.
        var planned = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (table, days) in GuidePeriods)
        {
            var line = Regex.Match(dryRun.Output, $@"would delete ([0-9,]+) of ([0-9,]+) rows \([0-9.]+%\) from public\.{table}: created_at before the cutoff {Cutoff(days):yyyy-MM-dd HH:mm:ss} \+00:00 \({days} days\)");
            Assert.True(line.Success, $"no plan line for {table} in:\n{dryRun.Output}");
            planned[table] = long.Parse(line.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
            Assert.Equal(SampleData.LogRowsOlderThan(table, 1, TimeSpan.FromDays(days)), planned[table]);
        }

        var run = await Cli().RunAsync("run", playbook);

        Assert.True(run.ExitCode == 0, run.All);
        var executed = RunRecords.Latest(_dir["state"], "retention").Step("purge");
        foreach (var table in GuidePeriods.Keys)
        {
            Assert.Equal(planned[table], TableOutput(executed, table).GetProperty("rows_deleted").GetInt64());
            Assert.Equal(untouched[table] - planned[table], await _database.ScalarAsync<long>($"SELECT count(*) FROM {table}"));
        }
    }

    [Fact]
    public async Task The_share_guard_holds_back_a_too_short_period_with_a_warning_and_still_purges_the_other_tables()
    {
        // 100 days passes min_days but would delete 86% of audit_logs: a typo for 1000, say.
        var playbook = Playbook(
            TableList([("user_searches", "created_at", 90, ", allow_large_delete: true"), ("audit_logs", "created_at", 100, string.Empty)]),
            options: "max_delete_share: 0.5\n      confirm_var: allow_large_delete");
        var audit = await _database.ScalarAsync<long>("SELECT count(*) FROM audit_logs");

        var result = await Cli().RunAsync("run", playbook);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(audit, await _database.ScalarAsync<long>("SELECT count(*) FROM audit_logs"));
        Assert.Equal((0, 4000 - SampleData.LogRowsOlderThan("user_searches", 1, TimeSpan.FromDays(90))), await _database.CountByDateAsync("user_searches", "created_at", Cutoff(90)));
        var record = RunRecords.Latest(_dir["state"], "retention");
        Assert.Equal("warning", record.GetProperty("status").GetString());
        var step = record.Step("purge");
        Assert.Equal("succeeded", step.Status());
        var older = SampleData.LogRowsOlderThan("audit_logs", 1, TimeSpan.FromDays(100));
        Assert.Equal(4316, older);
        var warning = Assert.Single(step.GetProperty("warnings").EnumerateArray()).GetString()!;
        Assert.Contains($"held back 1 table(s), nothing deleted from them, every other table purged: public.audit_logs would lose {older:N0} of 5,000 rows (86.3%), more than max_delete_share 50%", warning);
        Assert.EndsWith($"confirm it once with: runbook run {playbook} --var allow_large_delete=audit_logs", warning);
        Assert.Contains("days (100)", TableOutput(step, "audit_logs").GetProperty("held").GetString());
        Assert.Equal(["audit_logs"], step.GetProperty("outputs").GetProperty("held_names").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(0, TableOutput(step, "audit_logs").GetProperty("rows_to_delete").GetInt64());
        Assert.False(record.TryGetProperty("alerts", out var alerts) && alerts.GetArrayLength() > 0, "a held-back purge is a warning, not an alert");
    }

    [Fact]
    public async Task A_held_back_purge_confirmed_for_one_run_deletes_the_backlog_by_its_name_or_its_qualified_name()
    {
        var playbook = Playbook(
            TableList([("audit_logs", "created_at", 100, string.Empty), ("page_views", "created_at", 180, string.Empty), ("application_logs", "created_at", 90, string.Empty)]),
            options: "max_delete_share: 0.5\n      allow_large_delete_for: \"{{ vars.allow_large_delete }}\"");

        var result = await Cli().RunAsync("run", playbook, "--var", "allow_large_delete=audit_logs, public.page_views,analytics_events");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(0, (await _database.CountByDateAsync("audit_logs", "created_at", Cutoff(100))).Older);
        Assert.Equal(0, (await _database.CountByDateAsync("page_views", "created_at", Cutoff(180))).Older);
        Assert.Equal(SampleData.LogRowsOlderThan("application_logs", 1, TimeSpan.FromDays(90)), (await _database.CountByDateAsync("application_logs", "created_at", Cutoff(90))).Older);
        var step = RunRecords.Latest(_dir["state"], "retention").Step("purge");
        Assert.Equal(["application_logs"], step.GetProperty("outputs").GetProperty("held_names").EnumerateArray().Select(n => n.GetString()));
        Assert.Contains("allow_large_delete_for: \"application_logs\"", Assert.Single(step.GetProperty("warnings").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task The_share_guard_holds_back_a_wrong_column_whose_dates_are_all_old()
    {
        // A column that is a date but not the one retention is about: every row looks ancient.
        await _database.ExecuteAsync("ALTER TABLE page_views ADD COLUMN migrated_at timestamptz NOT NULL DEFAULT '2019-01-01'");
        var untouched = await _database.RowCountsAsync();

        var result = await Cli().RunAsync("run", Playbook(TableList([("page_views", "migrated_at", 180, string.Empty)]), options: string.Empty));

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("held back 1 table(s), nothing deleted from them, every other table purged: public.page_views would lose 12,000 of 12,000 rows (100%)", result.All);
        var held = TableOutput(RunRecords.Latest(_dir["state"], "retention").Step("purge"), "page_views").GetProperty("held").GetString();
        Assert.Contains("would delete 12,000 of 12,000 (100%), more than max_delete_share 50%; check the column (migrated_at)", held);
        Assert.Equal(untouched, await _database.RowCountsAsync());
    }

    [Theory]
    [InlineData("page_views", "path", "public.page_views.path is text, not a date/time type (date, timestamp, timestamptz); its date/time columns: created_at")]
    [InlineData("page_views", "viewed_at", "public.page_views has no column 'viewed_at' (its date/time columns: created_at)")]
    [InlineData("page_view", "created_at", "table 'page_view' does not exist in database")]
    public async Task A_missing_table_or_a_column_that_is_not_a_date_is_refused_and_nothing_is_deleted(string table, string column, string expected)
    {
        var untouched = await _database.RowCountsAsync();
        var playbook = Playbook(TableList([("audit_logs", "created_at", 365, string.Empty), (table, column, 180, string.Empty)]));

        var dryRun = await Cli().RunAsync("run", playbook, "--dry-run");
        var run = await Cli().RunAsync("run", playbook);

        Assert.Contains("would refuse", dryRun.All);
        Assert.Contains(expected, dryRun.All);
        Assert.Contains("delete NOTHING and fail", dryRun.All);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(expected, run.All);
        Assert.Equal(untouched, await _database.RowCountsAsync());
    }

    [Fact]
    public async Task A_period_below_min_days_is_refused_before_anything_runs()
    {
        var untouched = await _database.RowCountsAsync();
        var playbook = Playbook(TableList([("audit_logs", "created_at", 9, string.Empty)]));

        var result = await Cli().RunAsync("run", playbook);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("refused: table 'audit_logs' has days 9, below min_days 30", result.All);
        Assert.Equal(untouched, await _database.RowCountsAsync());
    }
}
