using System.Buffers;
using System.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Files;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Mongo;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.Steps.Mongo;

/// <summary>
/// Dumps a MongoDB database with the driver, no mongodump needed, into mongodump's directory
/// layout (<c>&lt;db&gt;/&lt;collection&gt;.bson</c>: the documents' raw BSON exactly as the server
/// returns it, concatenated; <c>&lt;collection&gt;.metadata.json</c>: indexes, uuid, options),
/// packed as the guide's mongo_YYYYMMDD_HHMMSS.tar.gz whose top folder is the file's name, so the
/// guide's <c>tar -xzf … -C /tmp</c> then <c>mongorestore --drop /tmp/mongo_…</c> restores it.
/// Documents are streamed batch by batch; the archive carries a temporary name until complete.
/// Like mongodump without --oplog, collections are read one after another, not at one instant.
/// </summary>
[Step("mongo.dump", "Dump a MongoDB database with the driver into mongodump's layout (<db>/<collection>.bson + .metadata.json), packed as a gzipped tar")]
public sealed class MongoDumpStep : Step<MongoDumpOptions>
{
    public override Task<StepPlan> PlanAsync(StepContext context, MongoDumpOptions options, CancellationToken cancellationToken)
    {
        var target = MongoTarget.From(context.Connections.Get(options.Connection), options.Database, context.Secrets);
        var output = context.ResolvePath(options.File);
        var top = MongoDumpLayout.TopFolderFor(output);
        var plan = new List<string>
        {
            $"dump database {target.Database} of {target.Display}: {Selection(options)}, in batches of {options.BatchSize} documents",
            $"pack them as {top}/{target.Database}/<collection>.bson + <collection>.metadata.json (mongodump's layout) into {output}, gzip -{options.CompressionLevel} on {Environment.ProcessorCount} cores",
            $"write it as {output}.partial, renamed when complete, spooling one collection at a time through {output}.partial.spool (owner-only, deleted afterwards)",
        };
        var found = DiskSpace.FindPreviousBackup(output);
        if (found.SkippedNote is { } skipped)
        {
            plan.Add(skipped);
        }

        if (found.Size is { } previous)
        {
            plan.Add($"need {ByteSize.Format(previous * options.FreeSpaceFactor)} free (last backup {ByteSize.Format(previous)}); {ByteSize.Format(DiskSpace.Available(output))} free now");
        }

        return Task.FromResult(StepPlan.Of(new StepOutputs().Add("file", output).Add("database", target.Database), [.. plan]));
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, MongoDumpOptions options, CancellationToken cancellationToken)
    {
        var target = MongoTarget.From(context.Connections.Get(options.Connection), options.Database, context.Secrets);
        var output = context.ResolvePath(options.File);
        var timeout = options.ServerSelectionTimeout;
        DiskSpace.EnsureRoomFor(output, options.FreeSpaceFactor, context.Log);

        using var client = target.CreateClient(timeout);
        await target.PingAsync(client, timeout, context.Secrets, cancellationToken);
        var database = client.GetDatabase(target.Database);
        var serverVersion = await ServerVersionAsync(database, cancellationToken);
        List<DumpNamespace> collections;
        try
        {
            collections = await SelectAsync(database, options, cancellationToken);
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException)
        {
            throw target.Failure(client, ex, "listing the collections", timeout, context.Secrets);
        }

        if (collections.Count == 0 && !options.AllowEmpty)
        {
            throw new StepFailedException($"database {target.Database} on {target.Display} has no collections to dump ({Selection(options)}): check the database name in the uri, or set allow_empty: true if an empty database is expected");
        }

        context.Log.Information("  dumping {Target} (MongoDB {Version}): {Count} collection(s)", target.Display, serverVersion, collections.Count);
        var clock = Stopwatch.StartNew();
        var dump = new DumpRun(context, target, client, database, options);
        await dump.WriteAsync(output, collections, cancellationToken);

        context.Log.Information("  wrote {File}: {Size} ({Documents} documents in {Collections} collections, {Raw} of BSON)", output, ByteSize.Format(dump.CompressedBytes), dump.Counts.Values.Sum(), dump.Counts.Count, ByteSize.Format(dump.Bytes.Values.Sum()));
        return new StepOutputs()
            .Add("file", output)
            .Add("size_bytes", dump.CompressedBytes)
            .Add("uncompressed_bytes", dump.UncompressedBytes)
            .Add("sha256", dump.Sha256)
            .Add("database", target.Database)
            .Add("server_version", serverVersion)
            .Add("dump_seconds", Math.Round(clock.Elapsed.TotalSeconds, 3))
            .Add("collections", dump.Counts.Count)
            .Add("views", dump.Views.Count)
            .Add("documents", dump.Counts.Values.Sum())
            .Add("collection_counts", dump.Counts.ToDictionary(pair => pair.Key, pair => (object?)pair.Value, StringComparer.Ordinal))
            .Add("collection_bytes", dump.Bytes.ToDictionary(pair => pair.Key, pair => (object?)pair.Value, StringComparer.Ordinal));
    }

    /// <summary>What is dumped, in the operator's words.</summary>
    private static string Selection(MongoDumpOptions options)
    {
        var what = options.Collections.Count > 0
            ? "collections " + string.Join(", ", options.Collections)
            : "every collection and view except system.*";
        return options.ExcludeCollections.Count > 0 ? $"{what}, leaving out {string.Join(", ", options.ExcludeCollections)}" : what;
    }

    /// <summary>
    /// The namespaces to dump, sorted by name: listCollections minus system collections (mongodump
    /// keeps system.js, the stored functions), filtered by the collections options.
    /// </summary>
    private static async Task<List<DumpNamespace>> SelectAsync(IMongoDatabase database, MongoDumpOptions options, CancellationToken cancellationToken)
    {
        using var cursor = await database.ListCollectionsAsync(cancellationToken: cancellationToken);
        var all = (await cursor.ToListAsync(cancellationToken)).Select(DumpNamespace.FromListing).ToList();
        var dumpable = all.Where(c => !c.Name.StartsWith("system.", StringComparison.Ordinal) || c.Name == "system.js").ToList();
        if (options.Collections.Count > 0)
        {
            var names = dumpable.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            var missing = options.Collections.Where(name => !names.Contains(name)).ToList();
            if (missing.Count > 0)
            {
                throw new StepFailedException($"database {database.DatabaseNamespace.DatabaseName} has no collection {string.Join(", ", missing)} (it has: {(names.Count == 0 ? "none" : string.Join(", ", names.Order(StringComparer.Ordinal)))})");
            }

            dumpable = [.. dumpable.Where(c => options.Collections.Contains(c.Name, StringComparer.Ordinal))];
        }

        return [.. dumpable
            .Where(c => !options.ExcludeCollections.Contains(c.Name, StringComparer.Ordinal))
            .OrderBy(c => c.Name, StringComparer.Ordinal)];
    }

    private static async Task<string> ServerVersionAsync(IMongoDatabase database, CancellationToken cancellationToken)
    {
        try
        {
            var info = await database.RunCommandAsync<BsonDocument>(new BsonDocument("buildInfo", 1), cancellationToken: cancellationToken);
            return info.GetValue("version", "unknown").ToString()!;
        }
        catch (MongoCommandException)
        {
            return "unknown";
        }
    }

    /// <summary>One dump: the archive being written and what went into it.</summary>
    private sealed class DumpRun(StepContext context, MongoTarget target, IMongoClient client, IMongoDatabase database, MongoDumpOptions options)
    {
        /// <summary>mongod's NamespaceNotFound: the collection was dropped after it was listed.</summary>
        private const int NamespaceNotFound = 26;

        public SortedDictionary<string, long> Counts { get; } = new(StringComparer.Ordinal);

        public SortedDictionary<string, long> Bytes { get; } = new(StringComparer.Ordinal);

        public List<string> Views { get; } = [];

        public long CompressedBytes { get; private set; }

        public long UncompressedBytes { get; private set; }

        public string Sha256 { get; private set; } = string.Empty;

        public async Task WriteAsync(string output, IReadOnlyList<DumpNamespace> collections, CancellationToken cancellationToken)
        {
            using var atomic = context.Files.Create(output, keepExisting: true);
            var folder = $"{MongoDumpLayout.TopFolderFor(output)}/{target.Database}";
            try
            {
                await using (var archive = new DumpArchiveWriter(atomic, options.CompressionLevel, context.Time.GetUtcNow()))
                {
                    await archive.AddFolderAsync(MongoDumpLayout.TopFolderFor(output), cancellationToken);
                    await archive.AddFolderAsync(folder, cancellationToken);
                    foreach (var collection in collections)
                    {
                        await DumpCollectionAsync(archive, folder, collection, cancellationToken);
                    }

                    await archive.CompleteAsync(cancellationToken);
                    CompressedBytes = archive.CompressedBytes;
                    UncompressedBytes = archive.UncompressedBytes;
                    Sha256 = archive.Sha256;
                }

                atomic.Commit();
            }
            catch (IOException ex) when (DiskSpace.DiskFull(ex, output) is { } full)
            {
                throw full;
            }
        }

        private async Task DumpCollectionAsync(DumpArchiveWriter archive, string folder, DumpNamespace collection, CancellationToken cancellationToken)
        {
            List<BsonDocument> indexes = [];
            if (!collection.IsView)
            {
                try
                {
                    using var cursor = await database.GetCollection<BsonDocument>(collection.Name).Indexes.ListAsync(cancellationToken);
                    indexes = await cursor.ToListAsync(cancellationToken);
                }
                catch (MongoCommandException ex) when (ex.Code == NamespaceNotFound)
                {
                    context.Log.Warning("  {Collection}: dropped while the dump ran; left out", collection.Name);
                    return;
                }
                catch (Exception ex) when (ex is MongoException or TimeoutException)
                {
                    throw target.Failure(client, ex, $"listing the indexes of {collection.Name}", options.ServerSelectionTimeout, context.Secrets);
                }
            }

            await archive.AddTextAsync($"{folder}/{MongoDumpLayout.FileBaseFor(collection.Name)}{MongoDumpLayout.MetadataExtension}", collection.MetadataJson(indexes), cancellationToken);
            if (collection.IsView)
            {
                Views.Add(collection.Name);
                context.Log.Information("  {Collection}: view, metadata only", collection.Name);
                return;
            }

            var spool = archive.BeginSpool();
            var (documents, bytes) = await CopyDocumentsAsync(collection, spool, cancellationToken);
            await archive.AddSpoolAsync($"{folder}/{MongoDumpLayout.FileBaseFor(collection.DataCollection)}{MongoDumpLayout.BsonExtension}", cancellationToken);
            Counts[collection.Name] = documents;
            Bytes[collection.Name] = bytes;
            context.Log.Information("  {Collection}: {Documents} documents, {Size}", collection.Name, documents, ByteSize.Format(bytes));
        }

        /// <summary>Streams every document's raw BSON, byte for byte as the server sent it, into the spool.</summary>
        private async Task<(long Documents, long Bytes)> CopyDocumentsAsync(DumpNamespace collection, Stream spool, CancellationToken cancellationToken)
        {
            long documents = 0;
            long bytes = 0;
            var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                var source = database.GetCollection<RawBsonDocument>(collection.DataCollection);
                using var cursor = await source.FindAsync(
                    FilterDefinition<RawBsonDocument>.Empty,
                    new FindOptions<RawBsonDocument> { BatchSize = options.BatchSize },
                    cancellationToken);
                while (await cursor.MoveNextAsync(cancellationToken))
                {
                    foreach (var document in cursor.Current)
                    {
                        using (document)
                        {
                            var slice = document.Slice;
                            if (slice.Length > buffer.Length)
                            {
                                ArrayPool<byte>.Shared.Return(buffer);
                                buffer = ArrayPool<byte>.Shared.Rent(slice.Length);
                            }

                            slice.GetBytes(0, buffer, 0, slice.Length);
                            await spool.WriteAsync(buffer.AsMemory(0, slice.Length), cancellationToken);
                            documents++;
                            bytes += slice.Length;
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is MongoException or TimeoutException)
            {
                throw target.Failure(client, ex, $"reading {collection.DataCollection} (after {documents} documents)", options.ServerSelectionTimeout, context.Secrets);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            return (documents, bytes);
        }
    }
}
