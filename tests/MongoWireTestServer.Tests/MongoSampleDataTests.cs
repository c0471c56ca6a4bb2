using ExcelMedical.DbRunbook.Testing.Mongo;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Tests;

/// <summary>Seeds once at scale 1 and checks the data against what MongoSampleData promises.</summary>
public sealed class MongoSampleDataTests(MongoSampleDataTests.SeededDatabase seeded) : IClassFixture<MongoSampleDataTests.SeededDatabase>
{
    private static readonly DateTimeOffset ReferenceTime = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, int> Ages => new()
    {
        { MongoSampleData.ChatConversations, 0 },
        { MongoSampleData.ChatConversations, 30 },
        { MongoSampleData.ChatConversations, 180 },
        { MongoSampleData.ChatConversations, 364 },
        { MongoSampleData.ChatConversations, 365 },
        { MongoSampleData.AnalyticsEvents, 1 },
        { MongoSampleData.AnalyticsEvents, 7 },
        { MongoSampleData.AnalyticsEvents, 30 },
        { MongoSampleData.AnalyticsEvents, 89 },
        { MongoSampleData.AnalyticsEvents, 90 },
        { MongoSampleData.AnalyticsEvents, 400 },
        { MongoSampleData.Users, 365 },
        { MongoSampleData.Jobs, 100 },
    };

    [Fact]
    public void Seeding_reports_the_expected_counts()
    {
        Assert.Equal(MongoSampleData.ExpectedCounts(1), seeded.Counts);
        Assert.Equal(1740, seeded.Counts.Values.Sum());
    }

    [Theory]
    [MemberData(nameof(Ages))]
    public async Task OlderThan_predicts_what_a_created_at_cutoff_matches(string collection, int days)
    {
        var age = TimeSpan.FromDays(days);
        var cutoff = ReferenceTime - age;

        var actual = await seeded.Database.GetCollection<BsonDocument>(collection)
            .CountDocumentsAsync(Builders<BsonDocument>.Filter.Lt("created_at", cutoff.UtcDateTime));

        Assert.Equal(MongoSampleData.OlderThan(collection, 1, age), actual);
    }

    [Fact]
    public async Task OlderThan_is_exact_at_the_second_boundaries()
    {
        var events = seeded.Database.GetCollection<BsonDocument>(MongoSampleData.AnalyticsEvents);
        var newest = await events.Find(FilterDefinition<BsonDocument>.Empty).Sort("{ created_at: -1 }").Limit(1).SingleAsync();
        var newestAge = ReferenceTime.UtcDateTime - newest["created_at"].ToUniversalTime();

        Assert.Equal(1200, MongoSampleData.OlderThan(MongoSampleData.AnalyticsEvents, 1, newestAge - TimeSpan.FromMilliseconds(1)));
        Assert.Equal(1199, MongoSampleData.OlderThan(MongoSampleData.AnalyticsEvents, 1, newestAge));
        Assert.Equal(1200, MongoSampleData.OlderThan(MongoSampleData.AnalyticsEvents, 1, TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task Created_at_spans_exactly_the_history_before_the_reference_time()
    {
        var conversations = seeded.Database.GetCollection<BsonDocument>(MongoSampleData.ChatConversations);

        var oldest = await conversations.Find(FilterDefinition<BsonDocument>.Empty).Sort("{ created_at: 1 }").Limit(1).SingleAsync();
        var newest = await conversations.Find(FilterDefinition<BsonDocument>.Empty).Sort("{ created_at: -1 }").Limit(1).SingleAsync();

        Assert.Equal((ReferenceTime - TimeSpan.FromDays(365)).UtcDateTime, oldest["created_at"].ToUniversalTime());
        Assert.True(newest["created_at"].ToUniversalTime() < ReferenceTime.UtcDateTime);
        Assert.True(newest["created_at"].ToUniversalTime() > (ReferenceTime - TimeSpan.FromDays(1)).UtcDateTime);
    }

    [Fact]
    public async Task Users_have_a_unique_email_index_and_log_collections_a_created_at_index()
    {
        var users = await IndexesAsync(MongoSampleData.Users);
        var conversations = await IndexesAsync(MongoSampleData.ChatConversations);
        var events = await IndexesAsync(MongoSampleData.AnalyticsEvents);

        var email = Assert.Single(users, i => i["key"] == new BsonDocument("email", 1));
        Assert.True(email["unique"].AsBoolean);
        Assert.Contains(conversations, i => i["key"] == new BsonDocument("created_at", 1));
        Assert.Contains(events, i => i["key"] == new BsonDocument("created_at", 1));
    }

    [Fact]
    public async Task Seeding_is_deterministic()
    {
        var endpoint = await MongoEndpoint.Shared;
        using var client = endpoint.CreateClient();
        var name = endpoint.UniqueDatabaseName("sample_again");
        try
        {
            var again = client.GetDatabase(name);
            await MongoSampleData.SeedAsync(again, 1, ReferenceTime);

            foreach (var collection in new[] { MongoSampleData.Users, MongoSampleData.Jobs })
            {
                var first = await AllAsync(seeded.Database, collection);
                var second = await AllAsync(again, collection);
                Assert.Equal(first, second);
            }
        }
        finally
        {
            await endpoint.DropDatabaseAsync(name);
        }
    }

    [Fact]
    public void OlderThan_rejects_collections_that_are_not_sampled()
    {
        var error = Assert.Throws<ArgumentException>(() => MongoSampleData.OlderThan("orders", 1, TimeSpan.Zero));

        Assert.Contains("analytics_events", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Counts_and_cutoffs_scale_linearly()
    {
        var one = MongoSampleData.ExpectedCounts(1);
        var five = MongoSampleData.ExpectedCounts(5);

        Assert.All(MongoSampleData.Collections, c => Assert.Equal(one[c] * 5, five[c]));
        Assert.Equal(
            MongoSampleData.OlderThan(MongoSampleData.AnalyticsEvents, 1, TimeSpan.FromDays(45)) * 5,
            MongoSampleData.OlderThan(MongoSampleData.AnalyticsEvents, 5, TimeSpan.FromDays(45)));
    }

    private static async Task<List<BsonDocument>> AllAsync(IMongoDatabase database, string collection) =>
        await database.GetCollection<BsonDocument>(collection).Find(FilterDefinition<BsonDocument>.Empty).Sort("{ _id: 1 }").ToListAsync();

    private async Task<List<BsonDocument>> IndexesAsync(string collection) =>
        await (await seeded.Database.GetCollection<BsonDocument>(collection).Indexes.ListAsync()).ToListAsync();

    /// <summary>A database seeded at scale 1 on the shared endpoint, dropped when the class is done.</summary>
    public sealed class SeededDatabase : IAsyncLifetime
    {
        private MongoEndpoint endpoint = null!;
        private MongoClient client = null!;

        public IMongoDatabase Database { get; private set; } = null!;

        public IReadOnlyDictionary<string, long> Counts { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            endpoint = await MongoEndpoint.Shared;
            client = endpoint.CreateClient();
            Database = client.GetDatabase(endpoint.UniqueDatabaseName("sample"));
            Counts = await MongoSampleData.SeedAsync(Database, 1, ReferenceTime);
        }

        public async Task DisposeAsync()
        {
            await endpoint.DropDatabaseAsync(Database.DatabaseNamespace.DatabaseName);
            client.Dispose();
        }
    }
}
