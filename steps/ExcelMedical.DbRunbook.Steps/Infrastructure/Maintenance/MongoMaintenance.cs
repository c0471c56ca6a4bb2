using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Mongo;
using ExcelMedical.DbRunbook.Steps.SharedOptions;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;

/// <summary>Storage figures of one collection from collStats (bytes).</summary>
internal sealed record CollectionStorage(long Documents, long DataBytes, long StorageBytes, long IndexBytes)
{
    public long TotalBytes => StorageBytes + IndexBytes;
}

/// <summary>An open MongoDB database for a maintenance step, with the target for error messages.</summary>
internal sealed class MongoSession : IDisposable
{
    private MongoSession(StepContext context, MongoTarget target, IMongoClient client, TimeSpan timeout)
    {
        Context = context;
        Target = target;
        Client = client;
        Timeout = timeout;
        Database = client.GetDatabase(target.Database);
    }

    public StepContext Context { get; }

    public MongoTarget Target { get; }

    public IMongoClient Client { get; }

    public IMongoDatabase Database { get; }

    public TimeSpan Timeout { get; }

    public static async Task<MongoSession> OpenAsync(StepContext context, MongoConnectionOptions options, CancellationToken cancellationToken)
    {
        var target = MongoTarget.From(context.Connections.Get(options.Connection), options.Database, context.Secrets);
        var timeout = options.ServerSelectionTimeout;
        var client = target.CreateClient(timeout);
        try
        {
            await target.PingAsync(client, timeout, context.Secrets, cancellationToken);
            return new MongoSession(context, target, client, timeout);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>A driver failure while doing something, as a message that says what to fix.</summary>
    public StepFailedException Failure(Exception ex, string doing) => Target.Failure(Client, ex, doing, Timeout, Context.Secrets);

    public static bool IsDriverError(Exception ex) => ex is MongoException or TimeoutException;

    /// <summary>
    /// The collections to work on: the listed ones (each must exist), or every collection of the
    /// database except views and system.* collections.
    /// </summary>
    public async Task<IReadOnlyList<string>> CollectionsAsync(IReadOnlyList<string> wanted, CancellationToken cancellationToken)
    {
        List<BsonDocument> listing;
        try
        {
            using var cursor = await Database.ListCollectionsAsync(cancellationToken: cancellationToken);
            listing = await cursor.ToListAsync(cancellationToken);
        }
        catch (Exception ex) when (IsDriverError(ex))
        {
            throw Failure(ex, "listing the collections");
        }

        var names = listing
            .Where(c => c.GetValue("type", "collection").AsString == "collection")
            .Select(c => c["name"].AsString)
            .Where(name => !name.StartsWith("system.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (wanted.Count == 0)
        {
            return names;
        }

        var missing = wanted.Where(name => !names.Contains(name, StringComparer.Ordinal)).ToList();
        return missing.Count == 0
            ? wanted
            : throw new StepFailedException($"database {Target.Database} on {Target.Display} has no collection {string.Join(", ", missing)} (it has: {(names.Count == 0 ? "none" : string.Join(", ", names))})");
    }

    public async Task<CollectionStorage> StorageAsync(string collection, CancellationToken cancellationToken)
    {
        var stats = await Database.RunCommandAsync<BsonDocument>(new BsonDocument { { "collStats", collection }, { "scale", 1 } }, cancellationToken: cancellationToken);
        return new CollectionStorage(Number(stats, "count"), Number(stats, "size"), Number(stats, "storageSize"), Number(stats, "totalIndexSize"));
    }

    /// <summary>hello: the replica set name when this member is a replica set primary, else null.</summary>
    public async Task<string?> PrimaryOfReplicaSetAsync(CancellationToken cancellationToken)
    {
        var hello = await Database.RunCommandAsync<BsonDocument>(new BsonDocument("hello", 1), cancellationToken: cancellationToken);
        var primary = hello.GetValue("isWritablePrimary", hello.GetValue("ismaster", false)).ToBoolean();
        return primary && hello.TryGetValue("setName", out var set) ? set.AsString : null;
    }

    public void Dispose() => Client.Dispose();

    private static long Number(BsonDocument document, string name) =>
        document.TryGetValue(name, out var value) && value.IsNumeric ? value.ToInt64() : 0;
}
