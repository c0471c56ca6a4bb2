using System.Text.Json;
using ExcelMedical.DbRunbook.Testing.Mongo;
using ExcelMedical.DbRunbook.Tests.Support;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.Tests.Monitoring;

/// <summary>mongo.metrics against the MongoDB test endpoint (or RUNBOOK_TEST_MONGO_URI's mongod) with the platform's sample data.</summary>
public sealed class MongoMonitoringTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private MongoEndpoint _endpoint = null!;
    private string _database = null!;
    private IReadOnlyDictionary<string, long> _seeded = null!;

    public async Task InitializeAsync()
    {
        _endpoint = await MongoEndpoint.Shared;
        _database = _endpoint.UniqueDatabaseName("mongo_monitor");
        using var client = _endpoint.CreateClient();
        _seeded = await MongoSampleData.SeedAsync(client.GetDatabase(_database), scale: 1, DateTimeOffset.UtcNow);
    }

    public async Task DisposeAsync()
    {
        await _endpoint.DropDatabaseAsync(_database);
        _dir.Dispose();
    }

    private string Playbook() => _dir.Write("mongomon.yaml", """
        name: mongomon
        connections:
          mongo:
            uri: "{{ env.MONGO_URI }}"
        steps:
          - id: mongo
            uses: mongo.metrics
            with:
              long_operation_threshold: 30s
          - id: evaluate
            uses: monitor.evaluate
            with:
              from: [mongo]
          - id: history
            uses: metrics.history
            with:
              from: [mongo]
              folder: "{{ env.OUT }}/metrics"
        """);

    private RunbookCliHarness Cli() => new(_dir["state"], new Dictionary<string, string>
    {
        ["MONGO_URI"] = new MongoUrlBuilder(_endpoint.ConnectionString) { DatabaseName = _database }.ToString(),
        ["OUT"] = _dir["out"],
    });

    [Fact]
    public async Task Sizes_collections_connections_and_a_standalone_replica_set_are_read_from_the_server()
    {
        var result = await Cli().RunAsync("run", Playbook());

        Assert.True(result.ExitCode == 0, result.All);
        var outputs = RunRecords.Latest(_dir["state"], "mongomon").Step("mongo").GetProperty("outputs");
        Assert.Equal(0, outputs.GetProperty("unknown_count").GetInt32());
        Assert.True(outputs.GetProperty("db_size_bytes").GetInt64() > 0);
        Assert.True(outputs.GetProperty("connections").GetInt64() >= 1);
        Assert.StartsWith("not applicable", outputs.GetProperty("replica_set").GetString(), StringComparison.Ordinal);
        var collections = outputs.GetProperty("collections").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c);
        foreach (var (name, count) in _seeded)
        {
            Assert.Equal(count, collections[name].GetProperty("documents").GetInt64());
            Assert.True(collections[name].GetProperty("indexes").GetInt64() >= 1);
        }

        Assert.Empty(RunRecords.Latest(_dir["state"], "mongomon").GetProperty("alerts").EnumerateArray());
        Assert.True(File.Exists(Path.Combine(_dir["out"], "metrics", "mongo_db_size.csv")));
        Assert.True(File.Exists(Path.Combine(_dir["out"], "metrics", "mongo_connections.csv")));
    }

    [Fact]
    public async Task A_long_running_operation_raises_the_operation_alert()
    {
        if (!_endpoint.IsTestServer)
        {
            return;
        }

        using var slow = _endpoint.SimulateOperation($"{_database}.chat_conversations", "query", TimeSpan.FromMinutes(5));

        var result = await Cli().RunAsync("run", Playbook());

        Assert.Equal(0, result.ExitCode);
        var record = RunRecords.Latest(_dir["state"], "mongomon");
        var operation = Assert.Single(record.Step("mongo").GetProperty("outputs").GetProperty("long_operations").EnumerateArray());
        Assert.Equal($"{_database}.chat_conversations", operation.GetProperty("ns").GetString());
        var alert = Assert.Single(record.GetProperty("alerts").EnumerateArray());
        Assert.StartsWith("mongo.operation_seconds:", alert.GetProperty("key").GetString(), StringComparison.Ordinal);
        Assert.Equal("critical", alert.GetProperty("severity").GetString());
    }

    [Fact]
    public async Task Turning_the_check_off_by_emptying_MONGO_URI_says_check_disabled_in_blue_never_resolved()
    {
        using var slack = new ExcelMedical.DbRunbook.Testing.Slack.SlackReceiver();
        var playbook = _dir.Write("mongoswitch.yaml", """
            name: mongoswitch
            connections:
              mongo:
                uri: "{{ env.MONGO_URI }}"
            steps:
              - id: mongo_metrics
                uses: mongo.metrics
                when: "{{ (env.MONGO_URI ?? '') != '' }}"
              - id: evaluate
                uses: monitor.evaluate
                with:
                  from: [mongo_metrics]
                  thresholds:
                    mongo.connections: { critical: 0 }
            notify:
              - uses: notify.slack
                on: [alert]
                with: { webhook: "{{ env.SLACK_WEBHOOK_URL }}" }
            """);
        var cli = Cli();
        cli.Environment["SLACK_WEBHOOK_URL"] = slack.WebhookUrl.ToString();

        var on = await cli.RunAsync("run", playbook);
        cli.Environment["MONGO_URI"] = string.Empty;
        var off = await cli.RunAsync("run", playbook);

        Assert.True(on.ExitCode == 0, on.All);
        Assert.True(off.ExitCode == 0, off.All);
        var record = RunRecords.Latest(_dir["state"], "mongoswitch");
        Assert.Equal("skipped", record.Step("mongo_metrics").Status());
        var alert = Assert.Single(record.GetProperty("alerts").EnumerateArray());
        Assert.StartsWith("mongo.connections:", alert.GetProperty("key").GetString(), StringComparison.Ordinal);
        Assert.Equal("disabled", alert.GetProperty("transition").GetString());
        Assert.StartsWith("check disabled: mongo_metrics did not run (skipped: the condition", alert.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, record.Step("evaluate").GetProperty("outputs").GetProperty("firing").GetInt32());
        Assert.True(await ExcelMedical.DbRunbook.Testing.Support.Polling.UntilAsync(() => slack.Requests.Count >= 2, TimeSpan.FromSeconds(10)), $"{slack.Requests.Count} Slack message(s)");
        var disabled = slack.Requests[^1].Body;
        Assert.Contains("DISABLED", disabled);
        Assert.Contains("1 check disabled", disabled);
        Assert.Contains("#36C5F0", disabled);
        Assert.DoesNotContain("RESOLVED", disabled);
        Assert.DoesNotContain("resolved", disabled);
    }
}
