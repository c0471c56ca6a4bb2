using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ExcelMedical.DbRunbook.Testing.Mongo;
using ExcelMedical.DbRunbook.Tests.Support;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.Tests.Maintenance;

/// <summary>
/// mongo.retention, mongo.validate, mongo.compact and mongo.reindex against the MongoDB test
/// endpoint (the wire-protocol test server, or the mongod named by RUNBOOK_TEST_MONGO_URI), with
/// the platform's sample collections seeded at the reference time the runs use.
/// </summary>
public sealed class MongoMaintenanceTests : IAsyncLifetime
{
    /// <summary>The guide's MongoDB retention periods.</summary>
    private static readonly Dictionary<string, int> GuidePeriods = new(StringComparer.Ordinal)
    {
        [MongoSampleData.ChatConversations] = 180,
        [MongoSampleData.AnalyticsEvents] = 30,
    };

    private static readonly DateTimeOffset Reference = ReferenceClock.Sunday;

    private readonly TempDirectory _dir = new();
    private MongoEndpoint _endpoint = null!;
    private MongoClient _client = null!;
    private string _database = null!;
    private IReadOnlyDictionary<string, long> _seeded = null!;
    private int _runs;

    private IMongoDatabase Database => _client.GetDatabase(_database);

    private string State => _dir[$"state{_runs}"];

    public async Task InitializeAsync()
    {
        _endpoint = await MongoEndpoint.Shared;
        _client = _endpoint.CreateClient();
        _database = _endpoint.UniqueDatabaseName("maintenance");
        _seeded = await MongoSampleData.SeedAsync(Database, scale: 1, Reference);
    }

    public async Task DisposeAsync()
    {
        await _endpoint.DropDatabaseAsync(_database);
        _client.Dispose();
        _dir.Dispose();
    }

    private async Task<CliResult> RunAsync(string uses, string with, params string[] extra)
    {
        var playbook = _dir.Write("mongomaint.yaml", $$$"""
            name: mongomaint
            connections:
              mongo:
                uri: "{{ env.MONGO_URI }}"
            steps:
              - id: op
                uses: {{{uses}}}
                with:
            {{{with}}}
            """);
        _runs++;
        var environment = new Dictionary<string, string> { ["MONGO_URI"] = new MongoUrlBuilder(_endpoint.ConnectionString) { DatabaseName = _database }.ToString() };
        return await new RunbookCliHarness(State, environment, new ReferenceClock(Reference)).RunAsync(["run", playbook, .. extra], CancellationToken.None);
    }

    private JsonElement Outputs() => RunRecords.Latest(State, "mongomaint").Step("op").GetProperty("outputs");

    private static string Policy(string options = "      max_delete_share: 0.9", int? chatDays = null, string chatField = "created_at") => $"""
              batch_size: 100
              batch_pause: 5ms
        {options}
              collections:
                - {"{"} collection: chat_conversations, field: {chatField}, days: {chatDays ?? GuidePeriods[MongoSampleData.ChatConversations]} {"}"}
                - {"{"} collection: analytics_events, days: {GuidePeriods[MongoSampleData.AnalyticsEvents]} {"}"}
        """;

    private async Task<(long Older, long Newer)> CountByDateAsync(string collection, int days)
    {
        var cutoff = new BsonDateTime((Reference - TimeSpan.FromDays(days)).UtcDateTime);
        var documents = Database.GetCollection<BsonDocument>(collection);
        var older = await documents.CountDocumentsAsync(Builders<BsonDocument>.Filter.Lt("created_at", cutoff));
        var newer = await documents.CountDocumentsAsync(Builders<BsonDocument>.Filter.Gte("created_at", cutoff));
        return (older, newer);
    }

    private async Task<Dictionary<string, long>> CountsAsync()
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var collection in MongoSampleData.Collections)
        {
            counts[collection] = await Database.GetCollection<BsonDocument>(collection).CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty);
        }

        return counts;
    }

    [Fact]
    public async Task Mongo_retention_removes_exactly_the_documents_older_than_each_cutoff()
    {
        var before = new Dictionary<string, (long Older, long Newer)>(StringComparer.Ordinal);
        foreach (var (collection, days) in GuidePeriods)
        {
            before[collection] = await CountByDateAsync(collection, days);
            Assert.Equal(MongoSampleData.OlderThan(collection, 1, TimeSpan.FromDays(days)), before[collection].Older);
        }

        var result = await RunAsync("mongo.retention", Policy());

        Assert.True(result.ExitCode == 0, result.All);
        var outputs = Outputs();
        foreach (var (collection, days) in GuidePeriods)
        {
            var after = await CountByDateAsync(collection, days);
            Assert.Equal(0, after.Older);
            Assert.Equal(before[collection].Newer, after.Newer);
            var reported = outputs.GetProperty("collections").EnumerateArray().Single(c => c.GetProperty("collection").GetString() == collection);
            Assert.Equal(before[collection].Older, reported.GetProperty("documents_deleted").GetInt64());
        }

        var counts = await CountsAsync();
        Assert.Equal(_seeded[MongoSampleData.Users], counts[MongoSampleData.Users]);
        Assert.Equal(_seeded[MongoSampleData.Jobs], counts[MongoSampleData.Jobs]);
    }

    [Fact]
    public async Task The_mongo_dry_run_deletes_nothing_and_counts_what_the_run_then_deletes()
    {
        var dryRun = await RunAsync("mongo.retention", Policy(), "--dry-run");

        Assert.True(dryRun.ExitCode == 0, dryRun.All);
        Assert.Equal(_seeded, await CountsAsync());
        var planned = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (collection, days) in GuidePeriods)
        {
            var line = Regex.Match(dryRun.Output, $@"would delete ([0-9,]+) of [0-9,]+ documents \([0-9.]+%\) from [a-z0-9_]+\.{collection}: created_at before the cutoff [0-9: -]+\+00:00 \({days} days\)");
            Assert.True(line.Success, dryRun.Output);
            planned[collection] = long.Parse(line.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
            Assert.Equal(MongoSampleData.OlderThan(collection, 1, TimeSpan.FromDays(days)), planned[collection]);
        }

        var run = await RunAsync("mongo.retention", Policy());

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(planned.Values.Sum(), Outputs().GetProperty("documents_deleted").GetInt64());
    }

    [Fact]
    public async Task On_a_backlog_the_share_guard_holds_back_the_collections_with_a_warning_and_deletes_nothing_from_them()
    {
        // Seeded with a year of chats and 90 days of events: a first purge removes over half of each.
        var result = await RunAsync("mongo.retention", Policy(options: string.Empty));

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(_seeded, await CountsAsync());
        var record = RunRecords.Latest(State, "mongomaint");
        Assert.Equal("warning", record.GetProperty("status").GetString());
        var warning = Assert.Single(record.Step("op").GetProperty("warnings").EnumerateArray()).GetString()!;
        Assert.Contains($"{_database}.analytics_events would lose", warning);
        Assert.Contains("more than max_delete_share 50%", warning);
        Assert.Contains("confirm it once with allow_large_delete_for: \"", warning);
        Assert.Contains("analytics_events", Outputs().GetProperty("held_names").EnumerateArray().Select(n => n.GetString()));
    }

    [Fact]
    public async Task A_field_that_holds_no_dates_is_refused_and_nothing_is_deleted()
    {
        var result = await RunAsync("mongo.retention", Policy(chatField: "status"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"no document of {_database}.chat_conversations has a date in 'status'", result.All);
        Assert.Equal(_seeded, await CountsAsync());
    }

    [Fact]
    public async Task A_period_below_min_days_is_refused()
    {
        var result = await RunAsync("mongo.retention", Policy(chatDays: 3));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("refused: collection 'chat_conversations' has days 3, below min_days 30", result.All);
        Assert.Equal(_seeded, await CountsAsync());
    }

    [Fact]
    public async Task Validate_checks_every_collection_and_reports_them_valid()
    {
        var result = await RunAsync("mongo.validate", "      background: true");

        Assert.True(result.ExitCode == 0, result.All);
        var results = Outputs().GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(MongoSampleData.Collections.Order(StringComparer.Ordinal), results.Select(r => r.GetProperty("collection").GetString()));
        Assert.All(results, r => Assert.True(r.GetProperty("valid").GetBoolean()));
    }

    [Fact]
    public async Task Compact_after_a_purge_records_the_size_before_and_after()
    {
        Assert.Equal(0, (await RunAsync("mongo.retention", Policy())).ExitCode);

        var result = await RunAsync("mongo.compact", "      collections: [chat_conversations, analytics_events]");

        Assert.True(result.ExitCode == 0, result.All);
        var operations = Outputs().GetProperty("operations").EnumerateArray().ToList();
        Assert.Equal(2, operations.Count);
        Assert.All(operations, o => Assert.True(o.GetProperty("size_after_bytes").GetInt64() <= o.GetProperty("size_before_bytes").GetInt64()));
        if (_endpoint.IsTestServer)
        {
            Assert.True(Outputs().GetProperty("freed_bytes").GetInt64() > 0);
        }
    }

    [Fact]
    public async Task Reindex_rebuilds_indexes_with_the_same_names_and_options_and_leaves_unique_ones()
    {
        var before = await IndexSpecsAsync();

        var result = await RunAsync("mongo.reindex", "      collections: []");

        Assert.True(result.ExitCode == 0, result.All);
        var outputs = Outputs();
        var rebuilt = outputs.GetProperty("rebuilt").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains($"{_database}.analytics_events.type_1_created_at_1", rebuilt);
        Assert.Contains($"{_database}.chat_conversations.created_at_1", rebuilt);
        Assert.Contains(outputs.GetProperty("skipped").EnumerateArray(), s => s.GetProperty("index").GetString() == $"{_database}.users.email_1"
            && s.GetProperty("reason").GetString()!.StartsWith("unique", StringComparison.Ordinal));
        Assert.Equal(before, await IndexSpecsAsync());
    }

    /// <summary>Every index of every collection as "collection name key options", to compare before and after.</summary>
    private async Task<List<string>> IndexSpecsAsync()
    {
        var specs = new List<string>();
        foreach (var collection in MongoSampleData.Collections)
        {
            using var cursor = await Database.GetCollection<BsonDocument>(collection).Indexes.ListAsync();
            foreach (var spec in await cursor.ToListAsync())
            {
                spec.Remove("v");
                spec.Remove("ns");
                specs.Add($"{collection} {spec}");
            }
        }

        return [.. specs.Order(StringComparer.Ordinal)];
    }
}
