using ExcelMedical.DbRunbook.MongoWireTestServer.Tests.Support;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Tests;

/// <summary>insert, delete (limit 1 and 0) and update through the driver's write APIs.</summary>
public sealed class WriteTests(WireServerFixture fixture) : IClassFixture<WireServerFixture>
{
    [Fact]
    public async Task Insert_without_an_id_gets_an_ObjectId_first()
    {
        var collection = fixture.NewDatabase("write").GetCollection<BsonDocument>("things");

        await collection.InsertOneAsync(new BsonDocument("name", "first"));
        var stored = await collection.Find(FilterDefinition<BsonDocument>.Empty).SingleAsync();

        Assert.Equal("_id", stored.GetElement(0).Name);
        Assert.IsType<BsonObjectId>(stored["_id"]);
        Assert.Equal("first", stored["name"].AsString);
    }

    [Fact]
    public async Task DeleteOne_removes_only_the_first_match()
    {
        var collection = await NumberDocuments.SeedAsync(fixture.NewDatabase("write"), "numbers", 30);

        var result = await collection.DeleteOneAsync("{ group: 1 }");

        Assert.Equal(1, result.DeletedCount);
        Assert.Equal(9, await collection.CountDocumentsAsync("{ group: 1 }"));
        Assert.Equal(0, await collection.CountDocumentsAsync("{ _id: 1 }"));
    }

    [Fact]
    public async Task DeleteMany_removes_every_match()
    {
        var collection = await NumberDocuments.SeedAsync(fixture.NewDatabase("write"), "numbers", 30);
        var deletesBefore = fixture.Server.Counters.Delete;

        var result = await collection.DeleteManyAsync("{ n: { $lt: 12 } }");

        Assert.Equal(12, result.DeletedCount);
        Assert.Equal(18, await collection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
        Assert.True(fixture.Server.Counters.Delete > deletesBefore);
    }

    [Fact]
    public async Task Deleting_in_limited_batches_by_id_ends_with_nothing_left()
    {
        // The way a purge avoids one huge delete: read a batch of ids oldest first, delete those, repeat.
        var collection = await NumberDocuments.SeedAsync(fixture.NewDatabase("write"), "numbers", 1050);
        var rounds = new List<long>();
        while (true)
        {
            var ids = await collection.Find("{ n: { $lt: 1000 } }").Sort("{ _id: 1 }").Limit(300).Project("{ _id: 1 }").ToListAsync();
            if (ids.Count == 0)
            {
                break;
            }

            var deleted = await collection.DeleteManyAsync(Builders<BsonDocument>.Filter.In("_id", ids.Select(d => d["_id"])));
            rounds.Add(deleted.DeletedCount);
        }

        Assert.Equal([300, 300, 300, 100], rounds);
        Assert.Equal(50, await collection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }

    [Fact]
    public async Task A_raw_delete_with_a_limit_other_than_0_or_1_is_rejected()
    {
        var database = fixture.NewDatabase("write");
        await NumberDocuments.SeedAsync(database, "numbers", 5);

        var reply = await database.RunAsync("{ delete: 'numbers', deletes: [ { q: {}, limit: 3 } ] }");

        Assert.Equal(0, reply["n"].ToInt32());
        Assert.Equal(9, reply["writeErrors"][0]["code"].ToInt32());
    }

    [Fact]
    public async Task UpdateMany_changes_every_match()
    {
        var collection = await NumberDocuments.SeedAsync(fixture.NewDatabase("write"), "numbers", 30);

        var result = await collection.UpdateManyAsync("{ group: 0 }", "{ $set: { flagged: true } }");

        Assert.Equal(10, result.ModifiedCount);
        Assert.Equal(10, await collection.CountDocumentsAsync("{ flagged: true }"));
    }
}
