using ExcelMedical.DbRunbook.MongoWireTestServer.Tests.Support;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Tests;

/// <summary>collStats, dbStats and serverStatus: the fields the product reads, and scale.</summary>
public sealed class StatsTests(WireServerFixture fixture) : IClassFixture<WireServerFixture>
{
    private static readonly string[] CollStatsFields = ["ns", "count", "size", "avgObjSize", "storageSize", "totalIndexSize", "indexSizes", "nindexes", "scaleFactor"];

    private static readonly string[] DbStatsFields =
    [
        "db", "collections", "views", "objects", "avgObjSize", "dataSize", "storageSize", "indexes", "indexSize", "totalSize", "scaleFactor", "fsUsedSize", "fsTotalSize",
    ];

    [Fact]
    public async Task CollStats_reports_counts_sizes_and_indexes()
    {
        var database = fixture.NewDatabase("stats");
        var collection = await NumberDocuments.SeedAsync(database, "numbers", 500);
        await collection.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>("{ n: 1 }"));

        var stats = await database.RunAsync("{ collStats: 'numbers' }");

        Assert.All(CollStatsFields, field => Assert.True(stats.Contains(field), $"collStats has no {field}"));
        Assert.Equal(collection.CollectionNamespace.FullName, stats["ns"].AsString);
        Assert.Equal(500, stats["count"].ToInt64());
        Assert.Equal(stats["size"].ToInt64() / 500, stats["avgObjSize"].ToInt64());
        Assert.Equal(2, stats["nindexes"].ToInt32());
        Assert.Equal(["_id_", "n_1"], stats["indexSizes"].AsBsonDocument.Names);
        Assert.Equal(stats["indexSizes"].AsBsonDocument.Values.Sum(v => v.ToInt64()), stats["totalIndexSize"].ToInt64());
        Assert.True(stats["storageSize"].ToInt64() >= 4096);
        Assert.Equal(1, stats["scaleFactor"].ToInt32());
    }

    [Fact]
    public async Task CollStats_divides_sizes_by_the_scale()
    {
        var database = fixture.NewDatabase("stats");
        await NumberDocuments.SeedAsync(database, "numbers", 2000);

        var bytes = await database.RunAsync("{ collStats: 'numbers' }");
        var kilobytes = await database.RunAsync("{ collStats: 'numbers', scale: 1024 }");

        Assert.Equal(1024, kilobytes["scaleFactor"].ToInt32());
        Assert.Equal(bytes["size"].ToInt64() / 1024, kilobytes["size"].ToInt64());
        Assert.Equal(bytes["storageSize"].ToInt64() / 1024, kilobytes["storageSize"].ToInt64());
        Assert.Equal(bytes["count"].ToInt64(), kilobytes["count"].ToInt64());
    }

    [Fact]
    public async Task CollStats_of_a_missing_collection_reports_zeros()
    {
        var stats = await fixture.NewDatabase("stats").RunAsync("{ collStats: 'missing' }");

        Assert.Equal(0, stats["count"].ToInt64());
        Assert.Equal(0, stats["size"].ToInt64());
        Assert.Equal(0, stats["nindexes"].ToInt32());
    }

    [Fact]
    public async Task DbStats_adds_up_the_collections()
    {
        var database = fixture.NewDatabase("dbstats");
        await NumberDocuments.SeedAsync(database, "a", 300);
        await NumberDocuments.SeedAsync(database, "b", 200);
        var a = await database.RunAsync("{ collStats: 'a' }");
        var b = await database.RunAsync("{ collStats: 'b' }");

        var stats = await database.RunAsync("{ dbStats: 1 }");

        Assert.All(DbStatsFields, field => Assert.True(stats.Contains(field), $"dbStats has no {field}"));
        Assert.Equal(database.DatabaseNamespace.DatabaseName, stats["db"].AsString);
        Assert.Equal(2, stats["collections"].ToInt32());
        Assert.Equal(0, stats["views"].ToInt32());
        Assert.Equal(500, stats["objects"].ToInt64());
        Assert.Equal(2, stats["indexes"].ToInt64());
        Assert.Equal(a["size"].ToInt64() + b["size"].ToInt64(), stats["dataSize"].ToInt64());
        Assert.Equal(stats["storageSize"].ToInt64() + stats["indexSize"].ToInt64(), stats["totalSize"].ToInt64());
        Assert.True(stats["fsTotalSize"].ToDouble() >= stats["fsUsedSize"].ToDouble());
    }

    [Fact]
    public async Task DbStats_honours_the_scale()
    {
        var database = fixture.NewDatabase("dbstats");
        await NumberDocuments.SeedAsync(database, "a", 3000);

        var bytes = await database.RunAsync("{ dbStats: 1 }");
        var kilobytes = await database.RunAsync("{ dbStats: 1, scale: 1024 }");

        Assert.Equal(1024, kilobytes["scaleFactor"].ToInt32());
        Assert.Equal(Math.Floor(bytes["dataSize"].ToDouble() / 1024), kilobytes["dataSize"].ToDouble());
        Assert.Equal(Math.Floor(bytes["storageSize"].ToDouble() / 1024), kilobytes["storageSize"].ToDouble());
    }

    [Fact]
    public async Task A_scale_below_one_is_rejected()
    {
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => fixture.NewDatabase("dbstats").RunAsync("{ dbStats: 1, scale: 0 }"));

        Assert.Equal(2, error.Code);
    }

    [Fact]
    public async Task ServerStatus_reports_identity_uptime_and_connections()
    {
        using var second = fixture.CreateClient();
        await second.GetDatabase("admin").RunAsync("{ ping: 1 }");

        var status = await fixture.Admin.RunAsync("{ serverStatus: 1 }");

        Assert.Equal($"{Environment.MachineName}:{fixture.Server.Port}", status["host"].AsString);
        Assert.Equal("6.0.20", status["version"].AsString);
        Assert.Equal("mongod", status["process"].AsString);
        Assert.True(status["uptime"].ToDouble() >= 0);
        Assert.True(Math.Abs((DateTime.UtcNow - status["localTime"].ToUniversalTime()).TotalMinutes) < 1);
        var connections = status["connections"].AsBsonDocument;
        Assert.True(connections["current"].ToInt32() >= 2, connections.ToJson());
        Assert.True(connections["available"].ToInt32() > 0);
        Assert.True(connections["totalCreated"].ToInt64() >= connections["current"].ToInt64());
    }

    [Fact]
    public async Task ServerStatus_opcounters_follow_the_traffic()
    {
        var collection = fixture.NewDatabase("opcounters").GetCollection<BsonDocument>("c");
        var before = (await fixture.Admin.RunAsync("{ serverStatus: 1 }"))["opcounters"].AsBsonDocument;

        await collection.InsertManyAsync(Enumerable.Range(0, 7).Select(i => new BsonDocument("i", i)));
        await collection.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync();
        await collection.DeleteOneAsync(FilterDefinition<BsonDocument>.Empty);
        var after = (await fixture.Admin.RunAsync("{ serverStatus: 1 }"))["opcounters"].AsBsonDocument;

        Assert.Equal(7, after["insert"].ToInt64() - before["insert"].ToInt64());
        Assert.Equal(1, after["query"].ToInt64() - before["query"].ToInt64());
        Assert.Equal(1, after["delete"].ToInt64() - before["delete"].ToInt64());
        Assert.True(after["command"].ToInt64() > before["command"].ToInt64());
    }
}
