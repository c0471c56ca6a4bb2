using ExcelMedical.DbRunbook.MongoWireTestServer.Tests.Support;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Tests;

/// <summary>The fixture scenario of the test-fixtures issue, end to end through the official driver.</summary>
public sealed class FixtureScenarioTests(WireServerFixture fixture) : IClassFixture<WireServerFixture>
{
    private static readonly DateTime Reference = new(2026, 11, 25, 2, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Ten_thousand_documents_inserted_in_batches_are_found_by_date_over_several_batches_and_deleted_by_filter()
    {
        var database = fixture.NewDatabase("scenario");
        var events = database.GetCollection<BsonDocument>("analytics_events");
        for (var batch = 0; batch < 10; batch++)
        {
            // One event per hour going back from the reference time: document i is i hours old.
            var documents = Enumerable.Range(batch * 1000, 1000)
                .Select(i => new BsonDocument { ["_id"] = i, ["type"] = "page_view", ["created_at"] = Reference.AddHours(-i) });
            await events.InsertManyAsync(documents);
        }

        var cutoff = Reference.AddDays(-30);
        var olderFilter = Builders<BsonDocument>.Filter.Lt("created_at", cutoff);
        using var cursor = await events.FindAsync(olderFilter, new FindOptions<BsonDocument> { BatchSize = 500, Sort = "{ _id: 1 }" });
        var batches = 0;
        var found = new List<int>();
        while (await cursor.MoveNextAsync())
        {
            batches++;
            found.AddRange(cursor.Current.Select(document => document["_id"].AsInt32));
        }

        // Hours 721..9999 are older than 30 days (720 hours).
        Assert.Equal(Enumerable.Range(721, 10_000 - 721), found);
        Assert.True(batches >= 18, $"{batches} batches");

        var deleted = await events.DeleteManyAsync(olderFilter);
        Assert.Equal(10_000 - 721, deleted.DeletedCount);
        Assert.Equal(721, await events.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));

        await events.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>("{ created_at: 1 }"));
        var indexes = await (await events.Indexes.ListAsync()).ToListAsync();
        Assert.Equal(["_id_", "created_at_1"], indexes.Select(index => index["name"].AsString).Order());

        var dbStats = await database.RunCommandAsync<BsonDocument>("{ dbStats: 1 }");
        Assert.Equal(721, dbStats["objects"].ToInt64());
        var collStats = await database.RunCommandAsync<BsonDocument>("{ collStats: 'analytics_events' }");
        Assert.Equal(721, collStats["count"].ToInt64());
        Assert.Equal(2, collStats["nindexes"].ToInt32());
        var admin = fixture.Client.GetDatabase("admin");
        var serverStatus = await admin.RunCommandAsync<BsonDocument>("{ serverStatus: 1 }");
        Assert.True(serverStatus["connections"]["current"].ToInt32() >= 1);
        var currentOp = await admin.RunCommandAsync<BsonDocument>("{ currentOp: 1 }");
        Assert.True(currentOp.Contains("inprog"));

        var unknown = await Assert.ThrowsAsync<MongoCommandException>(() => database.RunCommandAsync<BsonDocument>("{ frobnicate: 1 }"));
        Assert.Equal(59, unknown.Code);
        Assert.Equal("CommandNotFound", unknown.CodeName);
    }
}
