using System.Text.Json.Nodes;
using ExcelMedical.DbRunbook.Testing.Mongo;
using ExcelMedical.DbRunbook.Testing.S3;
using ExcelMedical.DbRunbook.Testing.Slack;
using ExcelMedical.DbRunbook.Testing.Smtp;
using ExcelMedical.DbRunbook.Tests.Support;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.Tests.Restore;

/// <summary>
/// The shipped playbooks end to end against every real component: playbooks/backup.yaml makes the
/// backup, then playbooks/restore.yaml brings a chosen day back and playbooks/restore-drill.yaml
/// proves the newest backup restores to exactly what the backup run recorded.
/// </summary>
public sealed class RestorePlaybookTests(SampleDatabase database) : IClassFixture<SampleDatabase>, IAsyncLifetime
{
    private const string ScratchPrefix = "runbook_drill_";

    private readonly TempDirectory _dir = new();
    private readonly SmtpServer _smtp = new();
    private readonly SlackReceiver _slack = new();
    private readonly List<string> _postgresDatabases = [];
    private MongoEndpoint _mongo = null!;
    private MongoClient _mongoClient = null!;
    private string _mongoDatabase = string.Empty;
    private S3Server _s3 = null!;
    private string _bucket = string.Empty;

    private string Root => _dir["backups"];

    private string State => _dir["state"];

    public async Task InitializeAsync()
    {
        _mongo = await MongoEndpoint.Shared;
        _mongoClient = _mongo.CreateClient();
        _mongoDatabase = _mongo.UniqueDatabaseName("excel_medical");
        await MongoSampleData.SeedAsync(_mongoClient.GetDatabase(_mongoDatabase), 1, DateTimeOffset.UtcNow);
        _s3 = await S3Server.Shared;
        _bucket = await _s3.CreateBucketAsync("excel-medical-backups");
    }

    public async Task DisposeAsync()
    {
        foreach (var name in _postgresDatabases)
        {
            await database.Server.DropDatabaseAsync(name);
            await _mongo.DropDatabaseAsync(name);
        }

        await _mongo.DropDatabaseAsync(_mongoDatabase);
        _mongoClient.Dispose();
        _smtp.Dispose();
        _slack.Dispose();
        _dir.Dispose();
    }

    private RunbookCliHarness Cli()
    {
        var environment = database.GuideEnvironment();
        environment["MONGO_URI"] = new MongoUrlBuilder(_mongo.ConnectionString) { DatabaseName = _mongoDatabase }.ToString();
        environment["BACKUP_ROOT_DIR"] = Root;
        environment["LOG_ROOT_DIR"] = _dir["logs"];
        environment["S3_BACKUP_BUCKET"] = _bucket;
        environment["S3_ENDPOINT_URL"] = _s3.ServiceUrl.ToString();
        environment["AWS_ACCESS_KEY_ID"] = _s3.AccessKey;
        environment["AWS_SECRET_ACCESS_KEY"] = _s3.SecretKey;
        environment["ALERT_EMAIL"] = "admin@excelmedicalstaffing.com";
        environment["SMTP_HOST"] = _smtp.Host;
        environment["SMTP_PORT"] = _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["SLACK_WEBHOOK_URL"] = _slack.WebhookUrl.ToString();
        return new RunbookCliHarness(State, environment);
    }

    private static string Shipped(string name) => RepositoryRoot.File("playbooks/" + name);

    /// <summary>Runs the shipped backup and returns its day folder; the notifications it sent are consumed.</summary>
    /// <summary>Backup files are named to the second; a second backup must not share the first one's second.</summary>
    private static async Task NextSecondAsync()
    {
        var now = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromTicks(TimeSpan.TicksPerSecond - (now.Ticks % TimeSpan.TicksPerSecond)) + TimeSpan.FromMilliseconds(20));
    }

    private async Task<string> BackUpAsync()
    {
        var result = await Cli().RunAsync("run", Shipped("backup.yaml"));
        Assert.True(result.ExitCode == 0, result.All);
        await _smtp.WaitForMessageAsync(null, TimeSpan.FromSeconds(10));
        await _slack.WaitForRequestAsync(TimeSpan.FromSeconds(10));
        _smtp.Clear();
        _slack.Clear();
        return Directory.GetDirectories(Root).Single();
    }

    private string DrillReport() => File.ReadAllText(Directory.GetFiles(_dir["logs/restore-drills"], "restore_drill_*.txt").Order(StringComparer.Ordinal).Last());

    private async Task AssertNoScratchDatabasesAsync()
    {
        Assert.Empty(await PostgresStructure.DatabasesLikeAsync(database.Server.ConnectionString(), ScratchPrefix));
        Assert.DoesNotContain((await (await _mongoClient.ListDatabaseNamesAsync()).ToListAsync()), name => name.StartsWith(ScratchPrefix, StringComparison.Ordinal));
    }

    /// <summary>Changes the backup run's record as if a table had been different at dump time.</summary>
    private void TamperWithBackupRecord(Action<JsonNode> change)
    {
        var file = Directory.GetFiles(Path.Combine(State, "runs", "backup"), "*.json").Single();
        var record = JsonNode.Parse(File.ReadAllText(file))!;
        change(record);
        File.WriteAllText(file, record.ToJsonString());
    }

    private static JsonNode Outputs(JsonNode record, string step) =>
        record["steps"]!.AsArray().Single(s => s!["id"]!.GetValue<string>() == step)!["outputs"]!;

    [Fact]
    public async Task The_restore_playbook_brings_a_chosen_day_back_into_new_databases_identical_to_the_backup()
    {
        var day = Path.GetFileName(await BackUpAsync());
        var target = database.Name + "_restored";
        _postgresDatabases.Add(target);

        var result = await Cli().RunAsync("run", Shipped("restore.yaml"), "--var", $"day={day}", "--var", $"target={target}");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(await TableSnapshot.TakeAsync(database.ConnectionString), await TableSnapshot.TakeAsync(database.Server.ConnectionString(target)));
        Assert.Equal(await PostgresStructure.TakeAsync(database.ConnectionString), await PostgresStructure.TakeAsync(database.Server.ConnectionString(target)));
        foreach (var collection in MongoSampleData.Collections)
        {
            var source = _mongoClient.GetDatabase(_mongoDatabase).GetCollection<BsonDocument>(collection);
            var restored = _mongoClient.GetDatabase(target).GetCollection<BsonDocument>(collection);
            Assert.Equal(await source.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty), await restored.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
            Assert.Equal(
                (await (await source.Indexes.ListAsync()).ToListAsync()).Select(i => i["name"].AsString).Order(StringComparer.Ordinal),
                (await (await restored.Indexes.ListAsync()).ToListAsync()).Select(i => i["name"].AsString).Order(StringComparer.Ordinal));
        }

        var summary = File.ReadAllText(Directory.GetFiles(_dir["logs/restore"], "restore_summary_*.txt").Single());
        Assert.Contains("Outcome:   SUCCEEDED", summary);
        Assert.Contains($"Into:      {target} (created)", summary);

        // Durations as every summary prints them (7.6s, 250ms), never as 00:00:07.5753237.
        Assert.DoesNotMatch(@"\d\d:\d\d:\d\d\.\d", summary);
        Assert.Matches(@"(?m)^succeeded  PostgreSQL restore\s+ +(\d+ms|\d+(\.\d)?s|\d+m\d*s?)$", summary);
        Assert.Matches(@"Took:      (\d+ms|\d+(\.\d)?s|\d+m\d*s?) \(download (\d+ms|\d+(\.\d)?s), verify (\d+ms|\d+(\.\d)?s), restore (\d+ms|\d+(\.\d)?s|\d+m\d*s?)\)", summary);
        Assert.Contains($"Day:       {day}", summary);
        var mail = await _smtp.WaitForMessageAsync(null, TimeSpan.FromSeconds(10));
        Assert.Contains("restore succeeded", mail.Subject);
    }

    [Fact]
    public async Task The_restore_playbook_refuses_the_production_database_without_confirmation()
    {
        var day = Path.GetFileName(await BackUpAsync());
        var before = await TableSnapshot.TakeAsync(database.ConnectionString);

        var result = await Cli().RunAsync("run", Shipped("restore.yaml"), "--var", $"day={day}", "--var", $"target={database.Name}", "--var", "clean=true");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"refusing to restore into {database.Name}", result.All);
        Assert.Contains("confirm_overwrite_production", result.All);
        Assert.Equal(before, await TableSnapshot.TakeAsync(database.ConnectionString));
        var slack = await _slack.WaitForRequestAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("#E01E5A", slack.Body);
    }

    [Fact]
    public async Task The_drill_passes_on_a_good_backup_reports_rto_and_rpo_and_history_lists_it()
    {
        await BackUpAsync();

        var result = await Cli().RunAsync("run", Shipped("restore-drill.yaml"));

        Assert.True(result.ExitCode == 0, result.All);
        var report = DrillReport();
        Assert.Contains("Result:      PASSED", report);
        Assert.Matches(@"RPO:\s+\S+ \(age of the newest verified backup", report);
        Assert.Contains("objective 1d2h met", report);
        Assert.Matches(@"RTO:\s+(\d+ms|\d+(\.\d)?s|\d+m\d*s?) to fetch, verify and restore \(PostgreSQL", report);
        Assert.Contains("MongoDB", report);
        foreach (var table in database.Load.ExpectedRowCounts.Keys)
        {
            Assert.Matches($@"(?m)^public\.{table}\s+\d+ rows, checksum \S+\s+\d+ rows, checksum \S+\s+OK$", report);
        }

        foreach (var collection in MongoSampleData.Collections)
        {
            Assert.Matches($@"(?m)^{collection}\s+\d+ documents, \d+ indexes\s+\d+ documents, \d+ indexes\s+OK$", report);
        }

        Assert.Contains("dropped afterwards", report);
        await AssertNoScratchDatabasesAsync();
        var outputs = RunRecords.Latest(State, "restore-drill").Step("drill").GetProperty("outputs");
        Assert.True(outputs.GetProperty("passed").GetBoolean());
        Assert.True(outputs.GetProperty("rto_seconds").GetDouble() > 0);
        Assert.True(outputs.GetProperty("rpo_seconds").GetDouble() >= 0);
        Assert.Equal("local", outputs.GetProperty("postgres_source").GetString());

        var history = await Cli().RunAsync("history", "--playbook", "restore-drill");
        Assert.Matches(@"restore-drill\s+succeeded", history.Output);
    }

    [Fact]
    public async Task The_drill_fails_naming_each_table_and_collection_that_differs_from_the_backups_records()
    {
        await BackUpAsync();
        TamperWithBackupRecord(record =>
        {
            Outputs(record, "pg_dump")["table_checksums"]!["public.jobs"] = "1:42";
            var rows = Outputs(record, "pg_verify")["table_rows"]!;
            rows["public.users"] = rows["public.users"]!.GetValue<long>() + 1;
            var counts = Outputs(record, "mongo_dump")["collection_counts"]!;
            counts[MongoSampleData.ChatConversations] = counts[MongoSampleData.ChatConversations]!.GetValue<long>() - 1;
        });

        var result = await Cli().RunAsync("run", Shipped("restore-drill.yaml"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("restore drill of the backup of run", result.All);
        Assert.Contains("table public.jobs: content checksum 1:42 recorded at backup", result.All);
        Assert.Contains("table public.users:", result.All);
        Assert.Contains($"collection {MongoSampleData.ChatConversations}:", result.All);
        var report = DrillReport();
        Assert.Contains("Result:      FAILED (3 difference(s))", report);
        Assert.Matches(@"(?m)^public\.jobs\s.*CONTENT DIFFERS$", report);
        Assert.Matches(@"(?m)^public\.users\s.*ROWS DIFFER$", report);
        Assert.Matches($@"(?m)^{MongoSampleData.ChatConversations}\s.*DOCUMENTS DIFFER$", report);
        Assert.Matches(@"(?m)^public\.applications\s.*OK$", report);
        Assert.Contains("RTO:", report);
        await AssertNoScratchDatabasesAsync();

        var history = await Cli().RunAsync("history", "--playbook", "restore-drill");
        Assert.Matches(@"restore-drill\s+failed.*public\.jobs", history.Output);
        var slack = await _slack.WaitForRequestAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("#E01E5A", slack.Body);
        Assert.Contains("public.jobs", slack.Body);
    }

    [Fact]
    public async Task The_drill_restores_the_s3_copies_when_the_local_backup_is_gone()
    {
        Directory.Delete(await BackUpAsync(), recursive: true);

        var result = await Cli().RunAsync("run", Shipped("restore-drill.yaml"));

        Assert.True(result.ExitCode == 0, result.All);
        var outputs = RunRecords.Latest(State, "restore-drill").Step("drill").GetProperty("outputs");
        Assert.StartsWith($"s3://{_bucket}/", outputs.GetProperty("postgres_source").GetString());
        Assert.StartsWith($"s3://{_bucket}/", outputs.GetProperty("mongo_source").GetString());
        Assert.Contains("Result:      PASSED", DrillReport());
        await AssertNoScratchDatabasesAsync();
    }

    [Fact]
    public async Task The_drill_passes_over_a_newer_backup_that_was_not_verified_and_says_so()
    {
        await BackUpAsync();
        var older = RunRecords.Latest(State, "backup").GetProperty("id").GetString();
        await NextSecondAsync();
        Assert.Equal(0, (await Cli().RunAsync("run", Shipped("backup.yaml"))).ExitCode);
        var newest = RunRecords.LatestFile(State, "backup");
        var record = JsonNode.Parse(File.ReadAllText(newest))!;
        record["steps"]!.AsArray().Single(s => s!["id"]!.GetValue<string>() == "pg_verify")!["status"] = "failed";
        File.WriteAllText(newest, record.ToJsonString());

        var result = await Cli().RunAsync("run", Shipped("restore-drill.yaml"));

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(older, RunRecords.Latest(State, "restore-drill").Step("drill").GetProperty("outputs").GetProperty("backup_run").GetString());
        var report = DrillReport();
        Assert.Contains($"Backup:      run {older}", report);
        Assert.Contains("Passed over: 1 newer run(s) without a usable verified backup:", report);
        Assert.Contains("the PostgreSQL dump was not verified (step 'pg_verify' failed)", report);
    }

    [Fact]
    public async Task Without_any_backup_the_drill_fails_clearly_and_a_dry_run_changes_nothing()
    {
        var nothing = await Cli().RunAsync("run", Shipped("restore-drill.yaml"));
        Assert.Equal(1, nothing.ExitCode);
        Assert.Contains("no run of the playbook 'backup' is recorded", nothing.All);

        await BackUpAsync();
        var before = _dir.Snapshot().Where(p => !p.Contains("/state/", StringComparison.Ordinal)).ToList();
        var plan = await Cli().RunAsync("run", "--dry-run", Shipped("restore-drill.yaml"));

        Assert.True(plan.ExitCode == 0, plan.All);
        Assert.Contains("would drill the backup of run", plan.All);
        Assert.Contains($"restore it into the new database {ScratchPrefix}", plan.All);
        Assert.Equal(before, _dir.Snapshot().Where(p => !p.Contains("/state/", StringComparison.Ordinal)).ToList());
        await AssertNoScratchDatabasesAsync();
    }
}
