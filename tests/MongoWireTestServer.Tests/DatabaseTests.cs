using ExcelMedical.DbRunbook.MongoWireTestServer.Tests.Support;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Tests;

/// <summary>listDatabases, listCollections, create, drop and dropDatabase.</summary>
public sealed class DatabaseTests(WireServerFixture fixture) : IClassFixture<WireServerFixture>
{
    [Fact]
    public async Task ListDatabases_shows_the_system_databases_and_ones_with_data()
    {
        var database = fixture.NewDatabase("listing");
        await database.GetCollection<BsonDocument>("c").InsertOneAsync(new BsonDocument("a", 1));

        var databases = await (await fixture.Client.ListDatabasesAsync()).ToListAsync();

        Assert.Contains(databases, d => d["name"] == "admin");
        Assert.Contains(databases, d => d["name"] == "local");
        var listed = Assert.Single(databases, d => d["name"] == database.DatabaseNamespace.DatabaseName);
        Assert.True(listed["sizeOnDisk"].ToInt64() > 0);
        Assert.False(listed["empty"].AsBoolean);
    }

    [Fact]
    public async Task A_database_without_collections_is_not_listed()
    {
        var name = fixture.NewDatabase("empty").DatabaseNamespace.DatabaseName;

        var names = await (await fixture.Client.ListDatabaseNamesAsync()).ToListAsync();

        Assert.DoesNotContain(name, names);
    }

    [Fact]
    public async Task ListCollections_lists_names_sorted_and_honours_a_filter()
    {
        var database = fixture.NewDatabase("collections");
        await database.CreateCollectionAsync("zebra");
        await database.GetCollection<BsonDocument>("apple").InsertOneAsync(new BsonDocument("a", 1));

        var names = await (await database.ListCollectionNamesAsync()).ToListAsync();
        var filtered = await (await database.ListCollectionsAsync(new ListCollectionsOptions { Filter = "{ name: 'zebra' }" })).ToListAsync();

        Assert.Equal(["apple", "zebra"], names);
        var zebra = Assert.Single(filtered);
        Assert.Equal("collection", zebra["type"].AsString);
        Assert.Equal(BsonBinarySubType.UuidStandard, zebra["info"]["uuid"].AsBsonBinaryData.SubType);
    }

    [Fact]
    public async Task Creating_an_existing_collection_fails_with_NamespaceExists()
    {
        var database = fixture.NewDatabase("create");
        await database.CreateCollectionAsync("c");

        var error = await Assert.ThrowsAsync<MongoCommandException>(() => database.CreateCollectionAsync("c"));

        Assert.Equal(48, error.Code);
    }

    [Fact]
    public async Task Drop_removes_the_collection_and_dropping_again_is_harmless()
    {
        var database = fixture.NewDatabase("drop");
        await database.GetCollection<BsonDocument>("c").InsertOneAsync(new BsonDocument("a", 1));
        await database.GetCollection<BsonDocument>("keep").InsertOneAsync(new BsonDocument("a", 1));

        var reply = await database.RunAsync("{ drop: 'c' }");
        await database.DropCollectionAsync("c");

        Assert.Equal(database.DatabaseNamespace.DatabaseName + ".c", reply["ns"].AsString);
        Assert.Equal(["keep"], await (await database.ListCollectionNamesAsync()).ToListAsync());
    }

    [Fact]
    public async Task DropDatabase_removes_every_collection()
    {
        var database = fixture.NewDatabase("dropdb");
        var name = database.DatabaseNamespace.DatabaseName;
        await database.GetCollection<BsonDocument>("a").InsertOneAsync(new BsonDocument("a", 1));
        await database.GetCollection<BsonDocument>("b").InsertOneAsync(new BsonDocument("b", 1));

        var reply = await database.RunAsync("{ dropDatabase: 1 }");

        Assert.Equal(name, reply["dropped"].AsString);
        Assert.DoesNotContain(name, await (await fixture.Client.ListDatabaseNamesAsync()).ToListAsync());
        Assert.Empty(await (await database.ListCollectionNamesAsync()).ToListAsync());
    }
}
