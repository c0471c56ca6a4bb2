using System.Globalization;
using ExcelMedical.DbRunbook.Testing.Mongo;
using ExcelMedical.DbRunbook.Testing.Postgres;
using ExcelMedical.DbRunbook.Testing.Slack;
using ExcelMedical.DbRunbook.Testing.Smtp;
using ExcelMedical.DbRunbook.Tests.Support;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.Tests.Maintenance;

/// <summary>The shipped playbooks/maintenance.yaml, unchanged, end to end: PostgreSQL, MongoDB, files, mail and Slack.</summary>
public sealed class MaintenancePlaybookTests : IAsyncLifetime
{
    private const string Stamp = "20261122_010000";

    private static readonly DateTimeOffset Reference = ReferenceClock.Sunday;

    private readonly TempDirectory _dir = new();
    private readonly SmtpServer _smtp = new();
    private readonly SlackReceiver _slack = new();
    private SampleDatabases _databases = null!;

    private FreshDatabase Postgres => _databases.Postgres;

    private string MongoDatabase => _databases.MongoDatabase;

    private string Folder => _dir["logs/maintenance"];

    private string LogFile => Path.Combine(Folder, $"db_maintenance_{Stamp}.log");

    private string ReportFile => Path.Combine(Folder, $"maintenance_report_{Stamp}.txt");

    private static string Playbook => RepositoryRoot.File("playbooks/maintenance.yaml");

    public async Task InitializeAsync()
    {
        _databases = await SampleDatabases.CreateAsync(Reference, "maintenance_playbook");
    }

    public async Task DisposeAsync()
    {
        await _databases.DisposeAsync();
        _smtp.Dispose();
        _slack.Dispose();
        _dir.Dispose();
    }

    private RunbookCliHarness Cli(string? maxDeleteShare = null, DateTimeOffset? at = null)
    {
        var environment = _databases.GuideEnvironment();
        environment["LOG_ROOT_DIR"] = _dir["logs"];
        environment["ALERT_EMAIL"] = "admin@excelmedicalstaffing.com";
        environment["SMTP_HOST"] = _smtp.Host;
        environment["SMTP_PORT"] = _smtp.Port.ToString(CultureInfo.InvariantCulture);
        environment["SLACK_WEBHOOK_URL"] = _slack.WebhookUrl.ToString();
        if (maxDeleteShare is not null)
        {
            // The sample data holds two years of logs: the first purge is a backlog the guard stops by default.
            environment["RETENTION_MAX_DELETE_SHARE"] = maxDeleteShare;
        }

        return new RunbookCliHarness(_dir["state"], environment, new ReferenceClock(at ?? Reference));
    }

    private static string ReportOf(DateTimeOffset at) => $"maintenance_report_{at:yyyyMMdd_HHmmss}.txt";

    private async Task<long> MongoCountAsync(string collection)
    {
        using var client = _databases.Mongo.CreateClient();
        return await client.GetDatabase(MongoDatabase).GetCollection<BsonDocument>(collection).CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty);
    }

    [Fact]
    public async Task The_shipped_playbook_is_valid_and_scheduled_weekly_on_sunday_at_1am()
    {
        var result = await Cli().RunAsync("validate", Playbook);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("schedule: \"0 1 * * 0\"", await File.ReadAllTextAsync(Playbook));
    }

    [Fact]
    public async Task The_dry_run_writes_nothing_and_counts_every_purge()
    {
        var counts = await Postgres.RowCountsAsync();

        var result = await Cli("0.9").RunAsync("run", Playbook, "--dry-run");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.False(Directory.Exists(_dir["logs"]));
        Assert.Equal(counts, await Postgres.RowCountsAsync());
        Assert.Equal(MongoSampleData.ExpectedCounts(1)[MongoSampleData.ChatConversations], await MongoCountAsync(MongoSampleData.ChatConversations));
        var applicationLogs = SampleData.LogRowsOlderThan("application_logs", 1, TimeSpan.FromDays(90));
        Assert.Contains($"would delete {applicationLogs.ToString("N0", CultureInfo.InvariantCulture)} of 6,000 rows (87.7%) from public.application_logs: created_at before the cutoff 2026-08-24 01:00:00 +00:00 (90 days)", result.Output);
        Assert.Contains("REINDEX TABLE CONCURRENTLY public.audit_logs", result.Output);
        Assert.Contains($"documents (66.7%) from {MongoDatabase}.analytics_events: created_at before the cutoff 2026-10-23 01:00:00 +00:00 (30 days)", result.Output);
        Assert.Empty(_smtp.Messages);
        Assert.Empty(_slack.Requests);
    }

    [Fact]
    public async Task A_run_maintains_both_databases_purges_by_the_guides_periods_and_writes_the_guides_log_and_report()
    {
        var result = await Cli("0.9").RunAsync("run", Playbook);

        Assert.True(result.ExitCode == 0, result.All);
        var record = RunRecords.Latest(_dir["state"], "maintenance");
        foreach (var id in new[] { "pg_vacuum", "pg_reindex", "pg_bloat", "pg_analyze", "pg_unused_indexes", "mongo_validate", "mongo_compact", "mongo_reindex", "pg_retention", "mongo_retention", "report" })
        {
            Assert.True(record.Step(id).Status() == "succeeded", $"{id}: {record.Step(id)}");
        }

        var guide = new Dictionary<string, int>(StringComparer.Ordinal) { ["audit_logs"] = 365, ["application_logs"] = 90, ["page_views"] = 180, ["job_views"] = 180, ["user_searches"] = 90 };
        foreach (var (table, days) in guide)
        {
            var (older, newer) = await Postgres.CountByDateAsync(table, "created_at", Reference - TimeSpan.FromDays(days));
            Assert.Equal(0, older);
            Assert.Equal(SampleData.ExpectedRowCounts(1)[table] - SampleData.LogRowsOlderThan(table, 1, TimeSpan.FromDays(days)), newer);
        }

        Assert.Equal(MongoSampleData.ExpectedCounts(1)[MongoSampleData.AnalyticsEvents] - MongoSampleData.OlderThan(MongoSampleData.AnalyticsEvents, 1, TimeSpan.FromDays(30)), await MongoCountAsync(MongoSampleData.AnalyticsEvents));

        Assert.True(File.Exists(LogFile), string.Join(", ", Directory.GetFiles(Folder)));
        var log = await File.ReadAllTextAsync(LogFile);
        Assert.Contains("VACUUM (ANALYZE)", log);
        Assert.DoesNotContain(Postgres.Server.Password, log);
        var report = await File.ReadAllTextAsync(ReportFile);
        Assert.Contains("Excel Medical database maintenance report", report);

        // Rendered when the outcome is known: no "(running)", and the time the run took.
        Assert.Contains("Outcome:   SUCCEEDED", report);
        Assert.DoesNotContain("running", report);
        Assert.Matches(@"Duration:  (\d+(\.\d)?s|\d+m\d*s?)\n", report);
        Assert.Contains("VACUUM (ANALYZE)", report);
        Assert.Contains("REINDEX CONCURRENTLY", report);
        Assert.Contains("compact", report);
        var auditDeleted = SampleData.LogRowsOlderThan("audit_logs", 1, TimeSpan.FromDays(365));
        Assert.Contains($"public.audit_logs", report);
        Assert.Contains($"deleted {auditDeleted} of 5000 rows", report);
        Assert.Contains($"{auditDeleted} deleted", report);
        Assert.Contains("Unused PostgreSQL indexes (reported only, nothing dropped)", report);

        var mail = await _smtp.WaitForMessageAsync(null, TimeSpan.FromSeconds(10));
        Assert.Contains("maintenance", mail.Subject);
        Assert.Contains("succeeded", mail.Subject);
        var slack = await _slack.WaitForRequestAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("#2EB67D", slack.Body);
    }

    [Fact]
    public async Task A_backlog_is_held_back_with_a_warning_confirmed_once_with_the_command_given_and_then_each_week_deletes_only_its_increment()
    {
        // Two years of logs: at a share limit of 80% application_logs and user_searches (87.7%) are a backlog.
        var first = await Cli("0.8").RunAsync("run", Playbook);

        Assert.True(first.ExitCode == 0, first.All);
        var record = RunRecords.Latest(_dir["state"], "maintenance");
        Assert.Equal("warning", record.GetProperty("status").GetString());
        Assert.Equal(6000, await Postgres.ScalarAsync<long>("SELECT count(*) FROM application_logs"));
        Assert.Equal(4000, await Postgres.ScalarAsync<long>("SELECT count(*) FROM user_searches"));
        foreach (var (table, days) in new[] { ("audit_logs", 365), ("page_views", 180), ("job_views", 180) })
        {
            Assert.Equal(0, (await Postgres.CountByDateAsync(table, "created_at", Reference - TimeSpan.FromDays(days))).Older);
        }

        // The MongoDB retention after the warning still runs and purges.
        Assert.Equal("succeeded", record.Step("mongo_retention").Status());
        foreach (var (collection, days) in new[] { (MongoSampleData.ChatConversations, 180), (MongoSampleData.AnalyticsEvents, 30) })
        {
            Assert.Equal(MongoSampleData.ExpectedCounts(1)[collection] - MongoSampleData.OlderThan(collection, 1, TimeSpan.FromDays(days)), await MongoCountAsync(collection));
        }

        var command = $"runbook run {Playbook} --var allow_large_delete=application_logs,user_searches";
        var report = await File.ReadAllTextAsync(ReportFile);
        Assert.Contains("Outcome:   WARNING", report);
        Assert.Contains("HELD BACK, nothing deleted of 6000 rows", report);
        Assert.Contains(command, report);
        var mail = await _smtp.WaitForMessageAsync(null, TimeSpan.FromSeconds(10));
        Assert.Contains("maintenance succeeded with warnings", mail.Subject);
        Assert.Contains(command, mail.TextBody);
        var slack = await _slack.WaitForRequestAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("#ECB22E", slack.Body);
        Assert.Contains(command, slack.Body);

        // The operator runs the command from the notice, once: the backlog goes.
        var confirmedAt = Reference.AddHours(1);
        var vars = command[(command.IndexOf("--var ", StringComparison.Ordinal) + "--var ".Length)..];
        var second = await Cli(at: confirmedAt).RunAsync("run", Playbook, "--var", vars);

        Assert.True(second.ExitCode == 0, second.All);
        Assert.Equal("succeeded", RunRecords.Latest(_dir["state"], "maintenance").GetProperty("status").GetString());
        var days90 = TimeSpan.FromDays(90);
        Assert.Equal((0, 6000 - SampleData.LogRowsOlderThan("application_logs", 1, days90 - TimeSpan.FromHours(1))), await Postgres.CountByDateAsync("application_logs", "created_at", confirmedAt - days90));
        Assert.Equal(0, (await Postgres.CountByDateAsync("user_searches", "created_at", confirmedAt - days90)).Older);

        // A week later, unattended and with the default guard: only the week's rows go, nothing is held.
        var nextWeek = Reference.AddDays(7);
        var third = await Cli(at: nextWeek).RunAsync("run", Playbook);

        Assert.True(third.ExitCode == 0, third.All);
        var weekly = RunRecords.Latest(_dir["state"], "maintenance");
        Assert.Equal("succeeded", weekly.GetProperty("status").GetString());
        var tables = weekly.Step("pg_retention").GetProperty("outputs").GetProperty("tables").EnumerateArray().ToList();
        foreach (var (table, days) in new[] { ("audit_logs", 365), ("application_logs", 90), ("page_views", 180), ("job_views", 180), ("user_searches", 90) })
        {
            // The confirmed run, an hour after the reference time, purged up to its own cutoff.
            var lastCutoffAge = TimeSpan.FromDays(days) - TimeSpan.FromHours(1);
            var increment = SampleData.LogRowsOlderThan(table, 1, TimeSpan.FromDays(days - 7)) - SampleData.LogRowsOlderThan(table, 1, lastCutoffAge);
            var output = tables.Single(t => t.GetProperty("table").GetString() == table);
            Assert.Equal(increment, output.GetProperty("rows_deleted").GetInt64());
            Assert.True(output.GetProperty("share").GetDouble() < 0.1, $"{table}: share {output.GetProperty("share").GetDouble()}");
        }

        Assert.Empty(weekly.Step("pg_retention").GetProperty("outputs").GetProperty("held").EnumerateArray());
        Assert.Empty(weekly.Step("mongo_retention").GetProperty("outputs").GetProperty("held").EnumerateArray());
        Assert.Contains("deleted", await File.ReadAllTextAsync(Path.Combine(Folder, ReportOf(nextWeek))));
    }
}
