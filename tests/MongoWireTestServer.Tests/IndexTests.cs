using ExcelMedical.DbRunbook.MongoWireTestServer.Tests.Support;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Tests;

/// <summary>createIndexes, listIndexes, dropIndexes and unique-index enforcement.</summary>
public sealed class IndexTests(WireServerFixture fixture) : IClassFixture<WireServerFixture>
{
    private IMongoCollection<BsonDocument> NewCollection() =>
        fixture.NewDatabase("index").GetCollection<BsonDocument>("users");

    [Fact]
    public async Task Created_indexes_are_listed_after_the_id_index()
    {
        var users = NewCollection();

        var name = await users.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>("{ email: 1 }", new CreateIndexOptions { Unique = true }));
        var indexes = await (await users.Indexes.ListAsync()).ToListAsync();

        Assert.Equal("email_1", name);
        Assert.Equal(["_id_", "email_1"], indexes.Select(i => i["name"].AsString));
        Assert.True(indexes[1]["unique"].AsBoolean);
        Assert.Equal(new BsonDocument("email", 1), indexes[1]["key"].AsBsonDocument);
    }

    [Fact]
    public async Task A_unique_index_rejects_a_duplicate_with_error_11000()
    {
        var users = NewCollection();
        await users.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>("{ email: 1 }", new CreateIndexOptions { Unique = true }));
        await users.InsertOneAsync(new BsonDocument("email", "a@example.test"));

        var error = await Assert.ThrowsAsync<MongoWriteException>(() => users.InsertOneAsync(new BsonDocument("email", "a@example.test")));

        Assert.Equal(11000, error.WriteError.Code);
        Assert.Equal(ServerErrorCategory.DuplicateKey, error.WriteError.Category);
        Assert.Contains("email_1", error.WriteError.Message, StringComparison.Ordinal);
        Assert.Equal(1, await users.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }

    [Fact]
    public async Task An_ordered_bulk_insert_stops_at_the_duplicate()
    {
        var users = NewCollection();
        await users.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>("{ email: 1 }", new CreateIndexOptions { Unique = true }));
        var documents = new[] { "a", "b", "a", "c" }.Select(e => new BsonDocument("email", e));

        var error = await Assert.ThrowsAsync<MongoBulkWriteException<BsonDocument>>(() => users.InsertManyAsync(documents));

        var writeError = Assert.Single(error.WriteErrors);
        Assert.Equal(2, writeError.Index);
        Assert.Equal(11000, writeError.Code);
        Assert.Equal(2, await users.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }

    [Fact]
    public async Task Building_a_unique_index_over_duplicates_fails()
    {
        var users = NewCollection();
        await users.InsertManyAsync([new BsonDocument("email", "x"), new BsonDocument("email", "x")]);

        var error = await Assert.ThrowsAsync<MongoCommandException>(() =>
            users.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>("{ email: 1 }", new CreateIndexOptions { Unique = true })));

        Assert.Equal(11000, error.Code);
        Assert.Single(await (await users.Indexes.ListAsync()).ToListAsync());
    }

    [Fact]
    public async Task Creating_the_same_index_again_is_a_no_op_but_other_options_conflict()
    {
        var users = NewCollection();
        await users.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>("{ created_at: 1 }"));

        var again = await users.Database.RunAsync("{ createIndexes: 'users', indexes: [ { key: { created_at: 1 }, name: 'created_at_1' } ] }");
        var conflict = await Assert.ThrowsAsync<MongoCommandException>(() =>
            users.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>("{ created_at: 1 }", new CreateIndexOptions { Unique = true })));

        Assert.Equal(2, again["numIndexesAfter"].ToInt32());
        Assert.Equal("all indexes already exist", again["note"].AsString);
        Assert.Equal(85, conflict.Code);
    }

    [Fact]
    public async Task DropIndexes_drops_by_name_and_all_at_once()
    {
        var users = NewCollection();
        await users.Indexes.CreateManyAsync(
        [
            new CreateIndexModel<BsonDocument>("{ a: 1 }"),
            new CreateIndexModel<BsonDocument>("{ b: 1 }"),
            new CreateIndexModel<BsonDocument>("{ c: -1 }"),
        ]);

        await users.Indexes.DropOneAsync("a_1");
        var afterOne = await IndexNamesAsync(users);
        await users.Indexes.DropAllAsync();
        var afterAll = await IndexNamesAsync(users);

        Assert.Equal(["_id_", "b_1", "c_-1"], afterOne);
        Assert.Equal(["_id_"], afterAll);
    }

    [Fact]
    public async Task Dropping_a_missing_index_fails_with_IndexNotFound()
    {
        var users = NewCollection();
        await users.InsertOneAsync(new BsonDocument("a", 1));

        var error = await Assert.ThrowsAsync<MongoCommandException>(() => users.Indexes.DropOneAsync("nope_1"));

        Assert.Equal(27, error.Code);
    }

    private static async Task<List<string>> IndexNamesAsync(IMongoCollection<BsonDocument> collection) =>
        (await (await collection.Indexes.ListAsync()).ToListAsync()).Select(i => i["name"].AsString).ToList();
}
