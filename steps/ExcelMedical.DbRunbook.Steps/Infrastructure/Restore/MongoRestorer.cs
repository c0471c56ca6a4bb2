using System.Buffers.Binary;
using System.Diagnostics;
using System.Formats.Tar;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Archives;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Compression;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Mongo;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Restore;

/// <summary>What a MongoDB restore put into the target database.</summary>
internal sealed record MongoRestoreResult(
    SortedDictionary<string, long> Counts,
    SortedDictionary<string, IReadOnlyList<string>> Indexes,
    IReadOnlyList<string> Views,
    double Seconds);

/// <summary>
/// mongorestore's work done with the driver, shared by mongo.restore and restore.drill: reads a
/// verified mongodump-layout .tar.gz once more, creates each collection with the options of its
/// .metadata.json (dropping it first with drop, as <c>mongorestore --drop</c>), inserts its
/// documents byte for byte in batches, then builds its indexes from the metadata, and views last.
/// </summary>
internal sealed class MongoRestorer(StepContext context, MongoTarget target, IMongoClient client, TimeSpan timeout)
{
    /// <summary>mongod accepts 48 MiB per insert message; batches stay well below it.</summary>
    private const long MaxBatchBytes = 8L * 1024 * 1024;
    private const int MaxDocumentSize = (16 * 1024 * 1024) + (16 * 1024);

    /// <summary>The guard rail against restoring over the production database by accident.</summary>
    public static void RefuseProduction(MongoTarget server, string connectionName, bool confirmed)
    {
        if (string.Equals(server.Database, server.Url.DatabaseName, StringComparison.Ordinal) && !confirmed)
        {
            throw new StepFailedException($"refusing to restore into {server.Database}: it is the database of connection '{connectionName}' ({server.Display}), the production database. Restore into another database (the database option), or set confirm_overwrite_production: true if replacing production is really intended");
        }
    }

    /// <summary>The archive's collections of one database folder (the only one, or <paramref name="sourceDatabase"/>).</summary>
    public static (string Database, IReadOnlyList<FoundCollection> Collections) Select(ArchiveFindings findings, string? sourceDatabase, string file)
    {
        var databases = findings.Collections.Select(c => c.Database).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (databases.Count == 0)
        {
            throw new StepFailedException($"{file} holds no collections in mongodump's layout (<db>/<collection>.bson and .metadata.json): nothing to restore");
        }

        var database = sourceDatabase ?? (databases.Count == 1
            ? databases[0]
            : throw new StepFailedException($"{file} holds the databases {string.Join(", ", databases)}: set source_database to the one to restore"));
        if (!databases.Contains(database, StringComparer.Ordinal))
        {
            throw new StepFailedException($"{file} has no database folder '{database}' (it has: {string.Join(", ", databases)})");
        }

        return (database, [.. findings.Collections.Where(c => c.Database == database).OrderBy(c => c.Name, StringComparer.Ordinal)]);
    }

    /// <summary>Refuses, before anything is written, collections the target already has with documents (or as views), unless they are to be dropped.</summary>
    public async Task RefuseConflictsAsync(IMongoDatabase database, IReadOnlyList<FoundCollection> collections, bool drop, CancellationToken cancellationToken)
    {
        if (drop)
        {
            return;
        }

        var existing = await ExistingAsync(database, cancellationToken);
        var conflicts = new List<string>();
        foreach (var collection in collections.Where(c => existing.ContainsKey(c.Name)))
        {
            if (existing[collection.Name] == "view" || collection.Type == "view")
            {
                conflicts.Add($"{collection.Name} (a view)");
                continue;
            }

            var documents = await Call($"counting {collection.Name}", () => database.GetCollection<BsonDocument>(DataCollectionOf(collection)).EstimatedDocumentCountAsync(cancellationToken: cancellationToken));
            if (documents > 0)
            {
                conflicts.Add($"{collection.Name} ({documents} documents)");
            }
        }

        if (conflicts.Count > 0)
        {
            throw new StepFailedException($"refusing to restore into {database.DatabaseNamespace.DatabaseName} on {target.Display}: it already has {string.Join(", ", conflicts)}. Restore into another database, or set drop: true to drop those collections first (mongorestore --drop)");
        }
    }

    public async Task<MongoRestoreResult> RestoreAsync(string archive, string sourceDatabase, IReadOnlyList<FoundCollection> collections, IMongoDatabase database, bool drop, int batchSize, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var existing = await ExistingAsync(database, cancellationToken);
        var byDataFile = collections.Where(c => c.HasData).ToDictionary(c => MongoDumpLayout.FileBaseFor(DataCollectionOf(c)), StringComparer.Ordinal);
        var prepared = new HashSet<string>(StringComparer.Ordinal);
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);

        await using (var file = new FileStream(archive, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan))
        await using (var gzip = new VerifyingGzipStream(file))
        await using (var tar = new TarReader(gzip, leaveOpen: true))
        {
            while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                var segments = entry.Name.Split('/', StringSplitOptions.RemoveEmptyEntries);
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile)
                    || segments.Length < 2 || segments[^2] != sourceDatabase
                    || !segments[^1].EndsWith(MongoDumpLayout.BsonExtension, StringComparison.Ordinal)
                    || !byDataFile.TryGetValue(segments[^1][..^MongoDumpLayout.BsonExtension.Length], out var collection))
                {
                    continue;
                }

                await PrepareAsync(database, collection, existing, drop, cancellationToken);
                prepared.Add(collection.Name);
                counts[collection.Name] = await InsertAsync(database, collection, entry.DataStream ?? Stream.Null, batchSize, cancellationToken);
            }
        }

        var views = new List<string>();
        foreach (var collection in collections.Where(c => c.Type != "view" && !prepared.Contains(c.Name)))
        {
            // Metadata without data: an empty collection still comes back, with its options and indexes.
            await PrepareAsync(database, collection, existing, drop, cancellationToken);
            counts[collection.Name] = 0;
        }

        var indexes = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var collection in collections.Where(c => c.Type != "view"))
        {
            indexes[collection.Name] = await CreateIndexesAsync(database, collection, cancellationToken);
        }

        foreach (var view in collections.Where(c => c.Type == "view"))
        {
            await PrepareAsync(database, view, existing, drop, cancellationToken);
            views.Add(view.Name);
        }

        return new MongoRestoreResult(counts, indexes, views, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The documents now in each restored collection (for time-series: in its buckets, as they were dumped).</summary>
    public async Task<SortedDictionary<string, long>> CountAsync(IMongoDatabase database, IEnumerable<FoundCollection> collections, CancellationToken cancellationToken)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var collection in collections.Where(c => c.Type != "view"))
        {
            counts[collection.Name] = await Call($"counting {collection.Name}", () => database.GetCollection<BsonDocument>(DataCollectionOf(collection)).CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: cancellationToken));
        }

        return counts;
    }

    /// <summary>The index names each restored collection has now.</summary>
    public async Task<SortedDictionary<string, IReadOnlyList<string>>> IndexesAsync(IMongoDatabase database, IEnumerable<FoundCollection> collections, CancellationToken cancellationToken)
    {
        var result = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var collection in collections.Where(c => c.Type != "view"))
        {
            var indexes = await Call($"listing the indexes of {collection.Name}", async () =>
            {
                using var cursor = await database.GetCollection<BsonDocument>(collection.Name).Indexes.ListAsync(cancellationToken);
                return await cursor.ToListAsync(cancellationToken);
            });
            result[collection.Name] = [.. indexes.Select(index => index["name"].AsString).Order(StringComparer.Ordinal)];
        }

        return result;
    }

    /// <summary>The index names the archive's metadata lists for a collection.</summary>
    public static IReadOnlyList<string> ExpectedIndexes(FoundCollection collection) =>
        [.. IndexSpecs(collection).Select(spec => spec["name"].AsString).Order(StringComparer.Ordinal)];

    public async Task DropDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        await Call($"dropping database {name}", async () => { await client.DropDatabaseAsync(name, cancellationToken); return true; });
        context.Log.Information("  dropped MongoDB database {Database}", name);
    }

    private static string DataCollectionOf(FoundCollection collection) =>
        collection.Type == "timeseries" ? MongoDumpLayout.BucketsPrefix + collection.Name : collection.Name;

    private static BsonDocument Options(FoundCollection collection) =>
        collection.Metadata?.GetValue("options", BsonNull.Value) as BsonDocument ?? [];

    /// <summary>Index specifications as listIndexes gave them at dump time, minus the implicit _id index, clustered keys and the obsolete ns field.</summary>
    private static IEnumerable<BsonDocument> IndexSpecs(FoundCollection collection) =>
        (collection.Metadata?.GetValue("indexes", BsonNull.Value) as BsonArray ?? [])
            .OfType<BsonDocument>()
            .Where(spec => spec.GetValue("name", BsonNull.Value) is BsonString { Value: not "_id_" } && !spec.GetValue("clustered", false).ToBoolean())
            .Select(spec =>
            {
                var copy = spec.DeepClone().AsBsonDocument;
                copy.Remove("ns");
                return copy;
            });

    private async Task<Dictionary<string, string>> ExistingAsync(IMongoDatabase database, CancellationToken cancellationToken) =>
        await Call("listing the collections", async () =>
        {
            using var cursor = await database.ListCollectionsAsync(cancellationToken: cancellationToken);
            return (await cursor.ToListAsync(cancellationToken)).ToDictionary(c => c["name"].AsString, c => c.GetValue("type", "collection").AsString, StringComparer.Ordinal);
        });

    /// <summary>Drops the collection first with drop (mongorestore --drop), then creates it with its dumped options unless it exists (empty).</summary>
    private async Task PrepareAsync(IMongoDatabase database, FoundCollection collection, Dictionary<string, string> existing, bool drop, CancellationToken cancellationToken)
    {
        if (existing.ContainsKey(collection.Name))
        {
            if (!drop)
            {
                return;
            }

            await Call($"dropping {collection.Name}", async () => { await database.DropCollectionAsync(collection.Name, cancellationToken); return true; });
            existing.Remove(collection.Name);
        }

        var create = new BsonDocument("create", collection.Name);
        create.AddRange(Options(collection).Elements.Where(element => element.Name != "create"));
        await Call($"creating {collection.Name} with options {Options(collection).ToJson()}", () => database.RunCommandAsync<BsonDocument>(create, cancellationToken: cancellationToken));
        existing[collection.Name] = collection.Type;
    }

    /// <summary>Inserts the raw documents of one .bson file in batches, unchanged (no re-serialisation), and returns how many.</summary>
    private async Task<long> InsertAsync(IMongoDatabase database, FoundCollection collection, Stream data, int batchSize, CancellationToken cancellationToken)
    {
        var destination = database.GetCollection<RawBsonDocument>(DataCollectionOf(collection));
        var insert = new InsertManyOptions { IsOrdered = true, BypassDocumentValidation = true };
        var batch = new List<RawBsonDocument>(batchSize);
        long batchBytes = 0;
        long documents = 0;
        var header = new byte[4];

        async Task FlushAsync()
        {
            if (batch.Count == 0)
            {
                return;
            }

            try
            {
                await Call($"inserting into {collection.Name} (after {documents} documents)", async () => { await destination.InsertManyAsync(batch, insert, cancellationToken); return true; });
                documents += batch.Count;
            }
            finally
            {
                foreach (var document in batch)
                {
                    document.Dispose();
                }

                batch.Clear();
                batchBytes = 0;
            }
        }

        while (await data.ReadAtLeastAsync(header, 4, throwOnEndOfStream: false, cancellationToken) is var read && read > 0)
        {
            var length = read == 4 ? BinaryPrimitives.ReadInt32LittleEndian(header) : -1;
            if (length is < 5 or > MaxDocumentSize)
            {
                throw new StepFailedException($"{collection.Name}: document {documents + batch.Count + 1} in the archive is not valid BSON (the archive changed after it was verified?)");
            }

            var bytes = new byte[length];
            header.CopyTo(bytes, 0);
            await data.ReadExactlyAsync(bytes.AsMemory(4, length - 4), cancellationToken);
            batch.Add(new RawBsonDocument(bytes));
            batchBytes += length;
            if (batch.Count >= batchSize || batchBytes >= MaxBatchBytes)
            {
                await FlushAsync();
            }
        }

        await FlushAsync();
        context.Log.Information("  {Collection}: {Documents} documents restored", collection.Name, documents);
        return documents;
    }

    /// <summary>Builds the collection's indexes from its metadata after its data is in (as mongorestore does) and returns their names.</summary>
    private async Task<IReadOnlyList<string>> CreateIndexesAsync(IMongoDatabase database, FoundCollection collection, CancellationToken cancellationToken)
    {
        var specs = IndexSpecs(collection).ToList();
        if (specs.Count > 0)
        {
            var command = new BsonDocument { { "createIndexes", collection.Name }, { "indexes", new BsonArray(specs) } };
            await Call($"creating the indexes of {collection.Name} ({string.Join(", ", specs.Select(s => s["name"].AsString))})", () => database.RunCommandAsync<BsonDocument>(command, cancellationToken: cancellationToken));
            context.Log.Information("  {Collection}: {Count} index(es) built: {Names}", collection.Name, specs.Count, string.Join(", ", specs.Select(s => s["name"].AsString)));
        }

        return [.. specs.Select(s => s["name"].AsString)];
    }

    private async Task<T> Call<T>(string doing, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException)
        {
            throw target.Failure(client, ex, doing, timeout, context.Secrets);
        }
    }

    /// <summary>For log lines: the collections of a result with their documents.</summary>
    public static string Summary(MongoRestoreResult result) =>
        $"{result.Counts.Count} collection(s), {result.Counts.Values.Sum()} documents, {result.Indexes.Values.Sum(i => i.Count)} index(es){(result.Views.Count > 0 ? $", {result.Views.Count} view(s)" : string.Empty)} in {Duration.Format(TimeSpan.FromSeconds(result.Seconds))}";
}
