using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.Testing.Mongo;

/// <summary>
/// The staffing platform's MongoDB data for tests: users, jobs, chat_conversations and
/// analytics_events with their indexes (a unique index on users.email, created_at indexes on the
/// log-like collections). Sizes grow linearly with a scale (scale 1 = 1,740 documents); created_at
/// values spread evenly over each collection's history before a reference time, with no randomness,
/// so <see cref="OlderThan"/> predicts exactly what a "delete older than" sees.
/// </summary>
public static class MongoSampleData
{
    public const string Users = "users";
    public const string Jobs = "jobs";
    public const string ChatConversations = "chat_conversations";
    public const string AnalyticsEvents = "analytics_events";

    /// <summary>Documents go to the server in batches of this many, so large scales do not build one huge list.</summary>
    private const int InsertBatchSize = 1000;

    /// <summary>The sample collections, in seeding order.</summary>
    public static IReadOnlyList<string> Collections { get; } = [.. SampleDocuments.All.Select(c => c.Name)];

    /// <summary>How far before the reference time created_at reaches: users 730 days, jobs and chat_conversations 365, analytics_events 90.</summary>
    public static TimeSpan HistoryOf(string collection) => Find(collection).History;

    /// <summary>The documents each collection holds after seeding at <paramref name="scale"/>.</summary>
    public static IReadOnlyDictionary<string, long> ExpectedCounts(int scale)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        return SampleDocuments.All.ToDictionary(c => c.Name, c => c.CountAt(scale), StringComparer.Ordinal);
    }

    /// <summary>
    /// Replaces the sample collections in <paramref name="database"/> (drop, create indexes, insert)
    /// and returns how many documents each one holds afterwards, as counted by the server.
    /// </summary>
    /// <param name="referenceTime">The instant the data is relative to; created_at values are whole seconds before it.</param>
    public static async Task<IReadOnlyDictionary<string, long>> SeedAsync(
        IMongoDatabase database, int scale, DateTimeOffset referenceTime, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        var context = new SampleContext(scale, referenceTime);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var sample in SampleDocuments.All)
        {
            await database.DropCollectionAsync(sample.Name, cancellationToken);
            var collection = database.GetCollection<BsonDocument>(sample.Name);

            // Indexes first, like the platform's migrations: the unique email index checks every insert.
            await collection.Indexes.CreateManyAsync(sample.Indexes, cancellationToken);
            await InsertAsync(collection, sample, context, cancellationToken);
            counts[sample.Name] = await collection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: cancellationToken);
        }

        return counts;
    }

    /// <summary>
    /// How many documents of <paramref name="collection"/> seeded at <paramref name="scale"/> have
    /// created_at &lt; reference time − <paramref name="age"/>, i.e. what a purge of documents older than
    /// <paramref name="age"/> removes when it runs at the reference time. Exact for ages in whole
    /// milliseconds (BSON dates keep milliseconds).
    /// </summary>
    public static long OlderThan(string collection, int scale, TimeSpan age)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        var sample = Find(collection);
        return SampleTimeline.OlderThan(sample.CountAt(scale), sample.History, age);
    }

    private static async Task InsertAsync(IMongoCollection<BsonDocument> collection, SampleCollection sample, SampleContext context, CancellationToken cancellationToken)
    {
        var total = sample.CountAt(context.Scale);
        for (var start = 0L; start < total; start += InsertBatchSize)
        {
            var end = Math.Min(total, start + InsertBatchSize);
            var batch = new List<BsonDocument>((int)(end - start));
            for (var index = start; index < end; index++)
            {
                batch.Add(sample.Build(context, index));
            }

            await collection.InsertManyAsync(batch, cancellationToken: cancellationToken);
        }
    }

    private static SampleCollection Find(string collection) =>
        SampleDocuments.All.FirstOrDefault(c => c.Name == collection)
        ?? throw new ArgumentException($"{collection} is not a sample collection; they are: {string.Join(", ", Collections)}", nameof(collection));
}
