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
    private FreshDatabase _postgres = null!;
    private MongoEndpoint _mongo = null!;
    private string _mongoDatabase = string.Empty;

    private string Folder => _dir["logs/maintenance"];

    private string LogFile => Path.Combine(Folder, $"db_maintenance_{Stamp}.log");

    private string ReportFile => Path.Combine(Folder, $"maintenance_report_{Stamp}.txt");

    private static string Playbook => RepositoryRoot.File("playbooks/maintenance.yaml");

    public async Task InitializeAsync()
    {
        _postgres = await FreshDatabase.WithSampleDataAsync(Reference, "maintenance_playbook");
        _mongo = await MongoEndpoint.Shared;
        _mongoDatabase = _mongo.UniqueDatabaseName("excel_medical");
        using var client = _mongo.CreateClient();
        await MongoSampleData.SeedAsync(client.GetDatabase(_mongoDatabase), 1, Reference);
    }

    public async Task DisposeAsync()
    {
        await _postgres.DisposeAsync();
        await _mongo.DropDatabaseAsync(_mongoDatabase);
        _smtp.Dispose();
        _slack.Dispose();
        _dir.Dispose();
    }

    private RunbookCliHarness Cli(string? maxDeleteShare = null)
    {
        var environment = _postgres.GuideEnvironment();
        environment["LOG_ROOT_DIR"] = _dir["logs"];
        environment["MONGO_URI"] = new MongoUrlBuilder(_mongo.ConnectionString) { DatabaseName = _mongoDatabase }.ToString();
        environment["ALERT_EMAIL"] = "admin@excelmedicalstaffing.com";
        environment["SMTP_HOST"] = _smtp.Host;
        environment["SMTP_PORT"] = _smtp.Port.ToString(CultureInfo.InvariantCulture);
        environment["SLACK_WEBHOOK_URL"] = _slack.WebhookUrl.ToString();
        if (maxDeleteShare is not null)
        {
            // The sample data holds two years of logs: the first purge is a backlog the guard stops by default.
            environment["RETENTION_MAX_DELETE_SHARE"] = maxDeleteShare;
        }

        return new RunbookCliHarness(_dir["state"], environment, new ReferenceClock(Reference));
    }

    private async Task<long> MongoCountAsync(string collection)
    {
        using var client = _mongo.CreateClient();
        return await client.GetDatabase(_mongoDatabase).GetCollection<BsonDocument>(collection).CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty);
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
        var counts = await _postgres.RowCountsAsync();

        var result = await Cli("0.9").RunAsync("run", Playbook, "--dry-run");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.False(Directory.Exists(_dir["logs"]));
        Assert.Equal(counts, await _postgres.RowCountsAsync());
        Assert.Equal(MongoSampleData.ExpectedCounts(1)[MongoSampleData.ChatConversations], await MongoCountAsync(MongoSampleData.ChatConversations));
        var applicationLogs = SampleData.LogRowsOlderThan("application_logs", 1, TimeSpan.FromDays(90));
        Assert.Contains($"would delete {applicationLogs.ToString("N0", CultureInfo.InvariantCulture)} of 6,000 rows (87.7%) from public.application_logs: created_at before the cutoff 2026-08-24 01:00:00 +00:00 (90 days)", result.Output);
        Assert.Contains("REINDEX TABLE CONCURRENTLY public.audit_logs", result.Output);
        Assert.Contains($"documents (66.7%) from {_mongoDatabase}.analytics_events: created_at before the cutoff 2026-10-23 01:00:00 +00:00 (30 days)", result.Output);
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
            var (older, newer) = await _postgres.CountByDateAsync(table, "created_at", Reference - TimeSpan.FromDays(days));
            Assert.Equal(0, older);
            Assert.Equal(SampleData.ExpectedRowCounts(1)[table] - SampleData.LogRowsOlderThan(table, 1, TimeSpan.FromDays(days)), newer);
        }

        Assert.Equal(MongoSampleData.ExpectedCounts(1)[MongoSampleData.AnalyticsEvents] - MongoSampleData.OlderThan(MongoSampleData.AnalyticsEvents, 1, TimeSpan.FromDays(30)), await MongoCountAsync(MongoSampleData.AnalyticsEvents));

        Assert.True(File.Exists(LogFile), string.Join(", ", Directory.GetFiles(Folder)));
        var log = await File.ReadAllTextAsync(LogFile);
        Assert.Contains("VACUUM (ANALYZE)", log);
        Assert.DoesNotContain(_postgres.Server.Password, log);
        var report = await File.ReadAllTextAsync(ReportFile);
        Assert.Contains("Excel Medical database maintenance report", report);
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
    public async Task On_a_backlog_the_guard_stops_the_purge_deletes_nothing_still_reports_and_notifies_the_failure()
    {
        var counts = await _postgres.RowCountsAsync();

        var result = await Cli().RunAsync("run", Playbook);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(counts, await _postgres.RowCountsAsync());
        Assert.Equal(MongoSampleData.ExpectedCounts(1)[MongoSampleData.AnalyticsEvents], await MongoCountAsync(MongoSampleData.AnalyticsEvents));
        var record = RunRecords.Latest(_dir["state"], "maintenance");
        Assert.Equal("failed", record.Step("pg_retention").Status());
        Assert.Equal("skipped", record.Step("mongo_retention").Status());
        Assert.Equal("succeeded", record.Step("pg_vacuum").Status());
        var report = await File.ReadAllTextAsync(ReportFile);
        Assert.Contains("PostgreSQL: failed — retention refused, nothing was deleted", report);
        Assert.Contains("Alerts", report);
        var mail = await _smtp.WaitForMessageAsync(null, TimeSpan.FromSeconds(10));
        Assert.Contains("failed", mail.Subject);
        Assert.Contains("max_delete_share", mail.TextBody);
        var slack = await _slack.WaitForRequestAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("retention refused", slack.Body);
    }
}
