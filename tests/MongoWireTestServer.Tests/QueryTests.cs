using ExcelMedical.DbRunbook.MongoWireTestServer.Tests.Support;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Tests;

/// <summary>find, getMore, killCursors, count and the filter operators, over 1,500 numbered documents.</summary>
public sealed class QueryTests(WireServerFixture fixture) : IClassFixture<WireServerFixture>, IAsyncLifetime
{
    private const int DocumentCount = 1500;

    /// <summary>Each filter next to the same condition in C#, so expected results are computed, not typed in.</summary>
    private static readonly Dictionary<string, (string Filter, Func<int, bool> Expected)> Filters = new()
    {
        ["equality"] = ("{ n: 42 }", n => n == 42),
        ["$lt"] = ("{ n: { $lt: 10 } }", n => n < 10),
        ["$lte"] = ("{ n: { $lte: 10 } }", n => n <= 10),
        ["$gt"] = ("{ n: { $gt: 1490 } }", n => n > 1490),
        ["$gte"] = ("{ n: { $gte: 1490 } }", n => n >= 1490),
        ["range"] = ("{ n: { $gte: 100, $lt: 110 } }", n => n is >= 100 and < 110),
        ["$in"] = ("{ n: { $in: [1, 2, 999, 5000] } }", n => n is 1 or 2 or 999),
        ["$exists true"] = ("{ optional: { $exists: true } }", n => n % 5 == 0),
        ["$exists false"] = ("{ optional: { $exists: false } }", n => n % 5 != 0),
        ["$and"] = ("{ $and: [ { n: { $gte: 100 } }, { n: { $lt: 200 } }, { group: 0 } ] }", n => n is >= 100 and < 200 && n % 3 == 0),
        ["string equality"] = ("{ parity: 'odd', n: { $lt: 20 } }", n => n % 2 == 1 && n < 20),
        ["no match"] = ("{ n: { $gt: 100000 } }", _ => false),
    };

    private IMongoDatabase database = null!;
    private IMongoCollection<BsonDocument> numbers = null!;

    public static TheoryData<string> FilterNames => [.. Filters.Keys];

    public async Task InitializeAsync()
    {
        database = fixture.NewDatabase("query");
        numbers = await NumberDocuments.SeedAsync(database, "numbers", DocumentCount);
    }

    public Task DisposeAsync() => fixture.Client.DropDatabaseAsync(database.DatabaseNamespace.DatabaseName);

    [Fact]
    public async Task Inserting_more_than_a_thousand_documents_stores_them_all()
    {
        var inserted = fixture.Server.Counters.Insert;
        var count = await numbers.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty);

        Assert.Equal(DocumentCount, count);
        Assert.True(inserted >= DocumentCount, $"opcounters.insert is {inserted}");
    }

    [Fact]
    public async Task A_small_batch_size_pages_through_everything_with_getMore()
    {
        var getMoresBefore = fixture.Server.Counters.GetMore;

        var all = await numbers.Find(FilterDefinition<BsonDocument>.Empty, new FindOptions { BatchSize = 100 }).ToListAsync();

        Assert.Equal(Enumerable.Range(0, DocumentCount), all.Select(d => d["_id"].AsInt32));
        Assert.True(fixture.Server.Counters.GetMore - getMoresBefore >= (DocumentCount / 100) - 1);
    }

    [Theory]
    [MemberData(nameof(FilterNames))]
    public async Task Filters_select_exactly_the_matching_documents(string name)
    {
        var (filter, expected) = Filters[name];

        var found = await numbers.Find(BsonDocument.Parse(filter)).ToListAsync();

        Assert.Equal(Enumerable.Range(0, DocumentCount).Where(expected), found.Select(d => d["_id"].AsInt32).Order());
    }

    [Fact]
    public async Task Where_is_refused_rather_than_ignored()
    {
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => numbers.Find("{ $where: 'this.n > 5' }").ToListAsync());

        Assert.Equal(2, error.Code);
        Assert.Contains("$where", error.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sorting_by_id_descending_reverses_the_order()
    {
        var found = await numbers.Find("{ n: { $lt: 20 } }").Sort("{ _id: -1 }").ToListAsync();

        Assert.Equal(Enumerable.Range(0, 20).Reverse(), found.Select(d => d["_id"].AsInt32));
    }

    [Fact]
    public async Task A_limit_returns_the_first_documents_in_sort_order_across_batches()
    {
        var found = await numbers.Find("{ group: 1 }", new FindOptions { BatchSize = 10 }).Sort("{ _id: 1 }").Limit(25).ToListAsync();

        Assert.Equal(Enumerable.Range(0, DocumentCount).Where(n => n % 3 == 1).Take(25), found.Select(d => d["_id"].AsInt32));
    }

    [Fact]
    public async Task Closing_a_cursor_early_kills_it_on_the_server()
    {
        var openBefore = await OpenCursorsAsync();
        using (var cursor = await numbers.FindAsync(FilterDefinition<BsonDocument>.Empty, new FindOptions<BsonDocument> { BatchSize = 10 }))
        {
            Assert.True(await cursor.MoveNextAsync());
            Assert.Equal(10, cursor.Current.Count());
            Assert.Equal(openBefore + 1, await OpenCursorsAsync());
        }

        Assert.Equal(openBefore, await OpenCursorsAsync());
    }

    [Fact]
    public async Task KillCursors_reports_which_cursors_it_killed()
    {
        var first = await database.RunAsync("{ find: 'numbers', batchSize: 5 }");
        var cursorId = first["cursor"]["id"].ToInt64();

        var reply = await database.RunAsync(new BsonDocument { { "killCursors", "numbers" }, { "cursors", new BsonArray { cursorId, 12345L } } });

        Assert.NotEqual(0, cursorId);
        Assert.Equal(new BsonArray { cursorId }, reply["cursorsKilled"].AsBsonArray);
        Assert.Equal(new BsonArray { 12345L }, reply["cursorsNotFound"].AsBsonArray);
    }

    [Fact]
    public async Task GetMore_on_an_unknown_cursor_fails_with_CursorNotFound()
    {
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => database.RunAsync("{ getMore: NumberLong(987654321), collection: 'numbers' }"));

        Assert.Equal(43, error.Code);
    }

    [Fact]
    public async Task CountDocuments_counts_matches_through_aggregate()
    {
        var commandsBefore = fixture.Server.Counters.Command;

        var count = await numbers.CountDocumentsAsync("{ group: 2 }");
        var limited = await numbers.CountDocumentsAsync("{ group: 2 }", new CountOptions { Skip = 10, Limit = 100 });

        Assert.Equal(500, count);
        Assert.Equal(100, limited);
        Assert.True(fixture.Server.Counters.Command - commandsBefore >= 2);
    }

    [Fact]
    public async Task EstimatedDocumentCount_uses_the_count_command()
    {
        var estimate = await numbers.EstimatedDocumentCountAsync();
        var viaCommand = await database.RunAsync("{ count: 'numbers', query: { group: 0 } }");

        Assert.Equal(DocumentCount, estimate);
        Assert.Equal(500, viaCommand["n"].ToInt64());
    }

    [Fact]
    public async Task Projection_keeps_only_the_requested_fields()
    {
        var found = await numbers.Find("{ n: 7 }").Project("{ parity: 1, _id: 0 }").SingleAsync();

        Assert.Equal(new BsonDocument("parity", "odd"), found);
    }

    private async Task<long> OpenCursorsAsync()
    {
        var status = await fixture.Admin.RunAsync("{ serverStatus: 1 }");
        return status["metrics"]["cursor"]["open"]["total"].ToInt64();
    }
}
