using System.Text;
using ExcelMedical.DbRunbook.MongoWireTestServer.Tests.Support;
using ExcelMedical.DbRunbook.Testing.Mongo;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Tests;

/// <summary>The shared fixture other test projects use; passes against the test server and against RUNBOOK_TEST_MONGO_URI.</summary>
public sealed class MongoEndpointTests
{
    [Fact]
    public async Task Shared_is_one_endpoint_per_process()
    {
        var first = await MongoEndpoint.Shared;
        var second = await MongoEndpoint.Shared;

        Assert.Same(first, second);
    }

    [Fact]
    public async Task Without_the_environment_variable_it_is_the_in_process_server_on_loopback()
    {
        var endpoint = await MongoEndpoint.Shared;
        var configured = Environment.GetEnvironmentVariable(MongoEndpoint.UriVariable);

        if (string.IsNullOrWhiteSpace(configured))
        {
            Assert.True(endpoint.IsTestServer);
            Assert.Equal($"mongodb://127.0.0.1:{endpoint.TestServer!.Port}/?directConnection=true", endpoint.ConnectionString);
        }
        else
        {
            Assert.False(endpoint.IsTestServer);
            Assert.Null(endpoint.TestServer);
            Assert.Equal(configured.Trim(), endpoint.ConnectionString);
        }
    }

    [Fact]
    public async Task CreateClient_gives_a_working_client()
    {
        var endpoint = await MongoEndpoint.Shared;
        using var client = endpoint.CreateClient();

        var reply = await client.GetDatabase("admin").RunAsync("{ ping: 1 }");

        Assert.Equal(1.0, reply["ok"].ToDouble());
    }

    [Fact]
    public async Task Unique_database_names_differ_and_are_valid()
    {
        var endpoint = await MongoEndpoint.Shared;

        var names = Enumerable.Range(0, 50).Select(_ => endpoint.UniqueDatabaseName("retention test/with.dots$and a very long prefix indeed")).ToList();

        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.All(names, name =>
        {
            Assert.True(Encoding.UTF8.GetByteCount(name) < 64, name);
            Assert.True(name.IndexOfAny(['/', '\\', '.', ' ', '"', '$']) < 0, name);
            Assert.StartsWith("retention_test_with_dots_and_a_very_long", name, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task DropDatabaseAsync_removes_a_database()
    {
        var endpoint = await MongoEndpoint.Shared;
        using var client = endpoint.CreateClient();
        var name = endpoint.UniqueDatabaseName("drop");
        await client.GetDatabase(name).GetCollection<BsonDocument>("c").InsertOneAsync(new BsonDocument("a", 1));

        await endpoint.DropDatabaseAsync(name);
        await endpoint.DropDatabaseAsync(name);

        Assert.DoesNotContain(name, await (await client.ListDatabaseNamesAsync()).ToListAsync());
    }

    [Fact]
    public async Task SimulateOperation_reaches_the_test_server_hook()
    {
        var endpoint = await MongoEndpoint.Shared;
        if (!endpoint.IsTestServer)
        {
            Assert.Throws<InvalidOperationException>(() => endpoint.SimulateOperation("db.c", "query", TimeSpan.FromMinutes(1)));
            return;
        }

        using var client = endpoint.CreateClient();
        var ns = $"{endpoint.UniqueDatabaseName("simulate")}.events";
        using var slow = endpoint.SimulateOperation(ns, "query", TimeSpan.FromMinutes(10));

        var reply = await client.GetDatabase("admin").RunAsync(new BsonDocument { { "currentOp", 1 }, { "ns", ns } });

        var entry = Assert.Single(reply["inprog"].AsBsonArray);
        Assert.True(entry["secs_running"].ToInt64() >= 600);
    }

    [Fact]
    public void SimulateOperation_validates_its_arguments()
    {
        using var server = new MongoWireServer();

        Assert.Throws<ArgumentException>(() => server.SimulateOperation("no-collection", "query", TimeSpan.Zero));
        Assert.Throws<ArgumentException>(() => server.SimulateOperation("db.c", "select", TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => server.SimulateOperation("db.c", "query", TimeSpan.FromSeconds(-1)));
    }
}
