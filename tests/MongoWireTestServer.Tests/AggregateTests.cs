using ExcelMedical.DbRunbook.MongoWireTestServer.Tests.Support;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Tests;

/// <summary>aggregate with the stages the product uses: $match, $count, $group, $collStats and $currentOp.</summary>
public sealed class AggregateTests(WireServerFixture fixture) : IClassFixture<WireServerFixture>
{
    [Fact]
    public async Task Match_then_count_counts_the_matches()
    {
        var collection = await NumberDocuments.SeedAsync(fixture.NewDatabase("aggregate"), "numbers", 200);

        var result = await collection.Aggregate().Match("{ n: { $gte: 150 } }").Count().SingleAsync();

        Assert.Equal(50, result.Count);
    }

    [Fact]
    public async Task Count_of_nothing_returns_no_document()
    {
        var collection = await NumberDocuments.SeedAsync(fixture.NewDatabase("aggregate"), "numbers", 10);

        var results = await collection.Aggregate().Match("{ n: { $gt: 100 } }").Count().ToListAsync();

        Assert.Empty(results);
    }

    [Fact]
    public async Task Group_sums_per_key()
    {
        var collection = await NumberDocuments.SeedAsync(fixture.NewDatabase("aggregate"), "numbers", 30);

        var groups = await collection.Aggregate()
            .Group(BsonDocument.Parse("{ _id: '$parity', count: { $sum: 1 }, total: { $sum: '$n' } }"))
            .ToListAsync();

        var even = Assert.Single(groups, g => g["_id"] == "even");
        Assert.Equal(15, even["count"].ToInt32());
        Assert.Equal(Enumerable.Range(0, 30).Where(n => n % 2 == 0).Sum(), even["total"].ToInt32());
    }

    [Fact]
    public async Task CollStats_stage_reports_storage_statistics_and_count()
    {
        var collection = await NumberDocuments.SeedAsync(fixture.NewDatabase("aggregate"), "numbers", 100);

        var stats = await collection.Aggregate()
            .AppendStage<BsonDocument>("{ $collStats: { storageStats: { scale: 1 }, count: {}, latencyStats: {} } }")
            .SingleAsync();

        Assert.Equal(collection.CollectionNamespace.FullName, stats["ns"].AsString);
        Assert.Equal(100, stats["count"].ToInt64());
        Assert.Equal(100, stats["storageStats"]["count"].ToInt64());
        Assert.True(stats["storageStats"]["size"].ToInt64() > 0);
        Assert.True(stats["latencyStats"]["writes"]["ops"].ToInt64() >= 1);
    }

    [Fact]
    public async Task CurrentOp_stage_on_admin_lists_in_progress_operations()
    {
        using var slow = fixture.Server.SimulateOperation("shop.orders", "query", TimeSpan.FromMinutes(5));
        var pipeline = new BsonDocument[]
        {
            BsonDocument.Parse("{ $currentOp: { allUsers: true } }"),
            BsonDocument.Parse("{ $match: { secs_running: { $gte: 60 } } }"),
        };

        var operations = await fixture.Admin.Aggregate<BsonDocument>(pipeline).ToListAsync();

        var operation = Assert.Single(operations);
        Assert.Equal(slow.OpId, operation["opid"].ToInt32());
        Assert.Equal("shop.orders", operation["ns"].AsString);
    }

    [Fact]
    public async Task An_unsupported_stage_is_reported_like_mongod()
    {
        var collection = await NumberDocuments.SeedAsync(fixture.NewDatabase("aggregate"), "numbers", 1);

        var error = await Assert.ThrowsAsync<MongoCommandException>(() =>
            collection.Aggregate().AppendStage<BsonDocument>("{ $lookupSomething: {} }").ToListAsync());

        Assert.Equal(40324, error.Code);
    }
}
