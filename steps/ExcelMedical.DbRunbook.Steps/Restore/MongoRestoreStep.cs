using System.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Archives;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Mongo;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Restore;
using ExcelMedical.DbRunbook.Steps.Infrastructure.S3;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.Steps.Restore;

/// <summary>
/// The guide's MongoDB restore (<c>tar -xzf mongo_….tar.gz</c> then <c>mongorestore --drop</c>)
/// done with the driver, no mongorestore needed: the archive is read completely first (every gzip
/// CRC, tar entry and BSON document), so a corrupt or truncated archive is refused before anything
/// is written; then collections are created with their options, documents inserted in batches and
/// indexes rebuilt from metadata.json. The target is a new database by default, the production
/// database only with confirm_overwrite_production.
/// </summary>
[Step("mongo.restore", "Restore a MongoDB backup (mongo.dump's or mongodump's layout in a .tar.gz, local or from S3) with the driver: documents in batches, indexes from metadata.json")]
public sealed class MongoRestoreStep : Step<MongoRestoreOptions>
{
    public override async Task<StepPlan> PlanAsync(StepContext context, MongoRestoreOptions options, CancellationToken cancellationToken)
    {
        var server = Server(context, options);
        var actions = new List<string> { BackupSource.Describe(context, Source(options)) };
        if (server.Database == server.Url.DatabaseName && !options.ConfirmOverwriteProduction)
        {
            actions.Add($"refuse: {server.Database} is the database of connection '{options.Connection}' (production); set confirm_overwrite_production: true to replace it");
            return StepPlan.Of([.. actions]);
        }

        // Read-only, but it proves the server the run would restore to can be reached.
        using (var client = server.CreateClient(options.ServerSelectionTimeout))
        {
            await server.PingAsync(client, options.ServerSelectionTimeout, context.Secrets, cancellationToken);
        }

        actions.Add("read all of it first: every gzip CRC, tar entry, BSON document and metadata.json; a corrupt or truncated archive is refused before anything is written");
        actions.Add(options.Drop
            ? $"restore into database {server.Database} of {server.Display}, dropping each of the archive's collections there first (mongorestore --drop)"
            : $"restore into database {server.Database} of {server.Display}; refused if one of the archive's collections is there with documents (set drop: true to replace them)");
        actions.Add($"create each collection with its dumped options, insert its documents in batches of {options.BatchSize} and build its indexes from metadata.json; views last");
        actions.Add("compare the documents and indexes of every collection with the archive");
        return StepPlan.Of(new StepOutputs().Add("database", server.Database), [.. actions]);
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, MongoRestoreOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var server = Server(context, options);
        MongoRestorer.RefuseProduction(server, options.Connection, options.ConfirmOverwriteProduction);
        var timeout = options.ServerSelectionTimeout;
        using var client = server.CreateClient(timeout);
        await server.PingAsync(client, timeout, context.Secrets, cancellationToken);
        var database = client.GetDatabase(server.Database);
        var restorer = new MongoRestorer(context, server, client, timeout);

        using var backup = await BackupSource.FetchAsync(context, Source(options), cancellationToken);
        var (findings, verifySeconds) = await VerifyAsync(context, backup, server.Database, cancellationToken);
        var (sourceDatabase, collections) = MongoRestorer.Select(findings, options.SourceDatabase, backup.Path);
        await restorer.RefuseConflictsAsync(database, collections, options.Drop, cancellationToken);

        context.Log.Information("  restoring {Count} collection(s) of {Source} from {File} into {Database} on {Server}", collections.Count, sourceDatabase, backup.Path, server.Database, server.Display);
        var result = await restorer.RestoreAsync(backup.Path, sourceDatabase, collections, database, options.Drop, options.BatchSize, cancellationToken);
        var counts = await restorer.CountAsync(database, collections, cancellationToken);
        var indexes = await restorer.IndexesAsync(database, collections, cancellationToken);
        var problems = Compare(collections, counts, indexes);
        if (problems.Count > 0)
        {
            throw new StepFailedException($"{server.Database} was restored from {backup.Path} but does not match the archive: {string.Join("; ", problems)}");
        }

        context.Log.Information("  restored {File} into {Database}: {Summary}; documents and indexes equal to the archive's", backup.Path, server.Database, MongoRestorer.Summary(result));
        return new StepOutputs()
            .Add("file", backup.Path)
            .Add("source", backup.Origin)
            .Add("sha256", findings.Sha256)
            .Add("database", server.Database)
            .Add("source_database", sourceDatabase)
            .Add("collections", counts.Count)
            .Add("views", result.Views.Count)
            .Add("documents", counts.Values.Sum())
            .Add("indexes", indexes.Values.Sum(names => names.Count))
            .Add("collection_counts", counts.ToDictionary(pair => pair.Key, pair => (object?)pair.Value, StringComparer.Ordinal))
            .Add("download_seconds", Math.Round(backup.Download?.Seconds ?? 0, 3))
            .Add("verify_seconds", Math.Round(verifySeconds, 3))
            .Add("restore_seconds", Math.Round(result.Seconds, 3))
            .Add("seconds", Math.Round(clock.Elapsed.TotalSeconds, 3));
    }

    /// <summary>The full read of the archive, before anything is written: a corrupt, truncated or changed file is refused here.</summary>
    internal static async Task<(ArchiveFindings Findings, double Seconds)> VerifyAsync(StepContext context, FetchedBackup backup, string database, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var findings = new ArchiveFindings(backup.Path);
        await Task.Run(() => ArchiveInspector.Inspect(backup.Path, findings, cancellationToken), cancellationToken);
        if (findings.Problems.Count > 0)
        {
            throw new StepFailedException($"refusing to restore {backup.Path}: it failed verification ({string.Join("; ", findings.Problems.Take(5))}{(findings.Problems.Count > 5 ? $"; and {findings.Problems.Count - 5} more" : string.Empty)}); nothing was written to {database}");
        }

        backup.CheckHash(findings.Sha256);
        context.Log.Information("  verified {File}: {Entries} tar entries, {Collections} collection(s), {Documents} documents, SHA-256 {Sha256}", backup.Path, findings.Entries, findings.Collections.Count, findings.Collections.Sum(c => c.Documents), findings.Sha256);
        return (findings, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Each collection of the archive must be back with as many documents and every index its metadata lists.</summary>
    internal static List<string> Compare(IReadOnlyList<FoundCollection> archived, IReadOnlyDictionary<string, long> counts, IReadOnlyDictionary<string, IReadOnlyList<string>> indexes)
    {
        var problems = new List<string>();
        foreach (var collection in archived.Where(c => c.Type != "view"))
        {
            var restored = counts.GetValueOrDefault(collection.Name, -1);
            if (restored != collection.Documents)
            {
                problems.Add($"collection {collection.Name} has {restored} documents, the archive {collection.Documents}");
            }

            var missing = MongoRestorer.ExpectedIndexes(collection).Except(indexes.GetValueOrDefault(collection.Name) ?? [], StringComparer.Ordinal).ToList();
            if (missing.Count > 0)
            {
                problems.Add($"collection {collection.Name} lacks the index(es) {string.Join(", ", missing)}");
            }
        }

        return problems;
    }

    /// <summary>The server of the connection, aimed at the target database (default: the uri's database + "_restored").</summary>
    private static MongoTarget Server(StepContext context, MongoRestoreOptions options)
    {
        var connection = context.Connections.Get(options.Connection);
        var production = MongoTarget.From(connection, options.Database ?? "-", context.Secrets).Url.DatabaseName;
        var database = options.Database is { Length: > 0 } given ? given.Trim()
            : production is { Length: > 0 } ? production + "_restored"
            : throw new StepFailedException($"connection '{options.Connection}' names no database and the step no target: set the database option");
        return MongoTarget.From(connection, database, context.Secrets);
    }

    private static SourceRequest Source(MongoRestoreOptions options) =>
        new("MongoDB archive", options.File, options.Folder, options.Pattern, options.S3, options.From, options.DownloadFolder, options.Sha256 is null ? null : new ExpectedHash(options.Sha256, "the sha256 option"));
}
