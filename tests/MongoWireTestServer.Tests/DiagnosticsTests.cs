using ExcelMedical.DbRunbook.MongoWireTestServer.Tests.Support;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Tests;

/// <summary>currentOp with simulated and real in-flight operations, killOp, validate, compact and replSetGetStatus.</summary>
public sealed class DiagnosticsTests(WireServerFixture fixture) : IClassFixture<WireServerFixture>
{
    private static readonly string[] InProgressFields = ["opid", "active", "secs_running", "microsecs_running", "op", "ns", "command", "client", "desc"];

    [Fact]
    public async Task CurrentOp_shows_a_simulated_long_running_operation()
    {
        using var slow = fixture.Server.SimulateOperation("clinic.chat_conversations", "query", TimeSpan.FromHours(2));

        var inprog = (await fixture.Admin.RunAsync("{ currentOp: 1 }"))["inprog"].AsBsonArray.Select(e => e.AsBsonDocument).ToList();

        var entry = Assert.Single(inprog, e => e["opid"].ToInt32() == slow.OpId);
        Assert.All(InProgressFields, field => Assert.True(entry.Contains(field), $"inprog entry has no {field}"));
        Assert.True(entry["active"].AsBoolean);
        Assert.InRange(entry["secs_running"].ToInt64(), 7200, 7300);
        Assert.True(entry["microsecs_running"].ToInt64() >= 7200L * 1_000_000);
        Assert.Equal("query", entry["op"].AsString);
        Assert.Equal("clinic.chat_conversations", entry["ns"].AsString);
        Assert.Equal("chat_conversations", entry["command"]["find"].AsString);
        Assert.Equal($"conn{slow.ConnectionId}", entry["desc"].AsString);
        Assert.Contains(':', entry["client"].AsString);
    }

    [Fact]
    public async Task CurrentOp_filters_on_inprog_fields()
    {
        using var slow = fixture.Server.SimulateOperation("clinic.analytics_events", "remove", TimeSpan.FromMinutes(30));
        using var quick = fixture.Server.SimulateOperation("clinic.users", "query", TimeSpan.FromSeconds(2));

        var reply = await fixture.Admin.RunAsync("{ currentOp: 1, secs_running: { $gte: 600 }, op: 'remove' }");

        var entry = Assert.Single(reply["inprog"].AsBsonArray);
        Assert.Equal(slow.OpId, entry["opid"].ToInt32());
    }

    [Fact]
    public async Task CurrentOp_includes_itself_and_a_disposed_simulation_disappears()
    {
        var slow = fixture.Server.SimulateOperation("clinic.jobs", "command", TimeSpan.FromMinutes(1));
        slow.Dispose();

        var inprog = (await fixture.Admin.RunAsync("{ currentOp: 1 }"))["inprog"].AsBsonArray;

        Assert.DoesNotContain(inprog, e => e["opid"].ToInt32() == slow.OpId);
        Assert.Contains(inprog, e => e["command"].AsBsonDocument.Contains("currentOp"));
    }

    [Fact]
    public async Task CurrentOp_only_runs_against_admin()
    {
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => fixture.NewDatabase("diag").RunAsync("{ currentOp: 1 }"));

        Assert.Equal(13, error.Code);
    }

    [Fact]
    public async Task KillOp_ends_a_simulated_operation()
    {
        using var slow = fixture.Server.SimulateOperation("clinic.chat_conversations", "query", TimeSpan.FromHours(1));

        var reply = await fixture.Admin.RunAsync(new BsonDocument { { "killOp", 1 }, { "op", slow.OpId } });
        var inprog = (await fixture.Admin.RunAsync("{ currentOp: 1 }"))["inprog"].AsBsonArray;

        Assert.Equal("attempting to kill op", reply["info"].AsString);
        Assert.True(slow.WasKilled);
        Assert.DoesNotContain(inprog, e => e["opid"].ToInt32() == slow.OpId);
    }

    [Fact]
    public async Task KillOp_interrupts_a_real_operation_in_flight()
    {
        using var sleeper = fixture.CreateClient();
        var sleeping = sleeper.GetDatabase("admin").RunAsync("{ sleep: 1, millis: 30000 }");

        var entry = await WaitForOperationAsync(e => e["command"].AsBsonDocument.Contains("sleep"));
        await fixture.Admin.RunAsync(new BsonDocument { { "killOp", 1 }, { "op", entry["opid"] } });
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => sleeping.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal("command", entry["op"].AsString);
        Assert.Equal(11601, error.Code);
    }

    [Fact]
    public async Task KillOp_without_an_op_field_is_rejected()
    {
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => fixture.Admin.RunAsync("{ killOp: 1 }"));

        Assert.Equal(4, error.Code);
    }

    [Fact]
    public async Task ReplSetGetStatus_answers_like_a_standalone()
    {
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => fixture.Admin.RunAsync("{ replSetGetStatus: 1 }"));

        Assert.Equal(76, error.Code);
        Assert.Equal("NoReplicationEnabled", error.CodeName);
        Assert.Equal("not running with --replSet", error.ErrorMessage);
    }

    [Fact]
    public async Task Validate_checks_records_and_index_keys()
    {
        var database = fixture.NewDatabase("validate");
        var collection = await NumberDocuments.SeedAsync(database, "numbers", 250);
        await collection.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>("{ optional: 1 }", new CreateIndexOptions { Sparse = true }));
        await collection.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>("{ n: 1 }", new CreateIndexOptions { Unique = true }));

        var result = await database.RunAsync("{ validate: 'numbers', full: true }");

        Assert.True(result["valid"].AsBoolean);
        Assert.Equal(collection.CollectionNamespace.FullName, result["ns"].AsString);
        Assert.Equal(250, result["nrecords"].ToInt64());
        Assert.Equal(3, result["nIndexes"].ToInt32());
        Assert.Equal(new BsonDocument { { "_id_", 250L }, { "optional_1", 50L }, { "n_1", 250L } }, result["keysPerIndex"].AsBsonDocument);
        Assert.Empty(result["errors"].AsBsonArray);
        Assert.Empty(result["warnings"].AsBsonArray);
    }

    [Fact]
    public async Task Validate_of_a_missing_collection_fails_with_NamespaceNotFound()
    {
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => fixture.NewDatabase("validate").RunAsync("{ validate: 'missing' }"));

        Assert.Equal(26, error.Code);
    }

    [Fact]
    public async Task Compact_gives_back_the_space_deletes_left_behind()
    {
        var database = fixture.NewDatabase("compact");
        var collection = await NumberDocuments.SeedAsync(database, "numbers", 3000);
        await collection.DeleteManyAsync("{ n: { $gte: 300 } }");
        var before = await database.RunAsync("{ collStats: 'numbers' }");

        var first = await database.RunAsync("{ compact: 'numbers' }");
        var second = await database.RunAsync("{ compact: 'numbers' }");
        var after = await database.RunAsync("{ collStats: 'numbers' }");

        Assert.True(first["bytesFreed"].ToInt64() > 0);
        Assert.Equal(before["storageSize"].ToInt64() - first["bytesFreed"].ToInt64(), after["storageSize"].ToInt64());
        Assert.Equal(0, second["bytesFreed"].ToInt64());
    }

    private async Task<BsonDocument> WaitForOperationAsync(Func<BsonDocument, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var inprog = (await fixture.Admin.RunAsync("{ currentOp: 1 }"))["inprog"].AsBsonArray.Select(e => e.AsBsonDocument);
            if (inprog.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), timeout.Token);
        }
    }
}
