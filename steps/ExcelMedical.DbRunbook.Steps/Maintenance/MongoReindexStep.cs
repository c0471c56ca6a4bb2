using System.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.Steps.Maintenance;

/// <summary>
/// The guide's "index rebuilding" without reIndex, which MongoDB 6 deprecates (it is
/// standalone-only since 5.0 and locks the collection exclusively). MongoDB's replacement is to
/// drop and recreate the index; to keep queries served while that happens, a stand-in index (the
/// same key plus _id, so it serves the same prefixes) is built first and dropped last. Indexes that
/// cannot be covered that way are left alone and reported: _id_, unique indexes (while the original
/// is rebuilt nothing would enforce uniqueness) and special types (text, 2dsphere, hashed, wildcard).
/// </summary>
[Step("mongo.reindex", "Rebuild MongoDB indexes by drop and recreate behind a temporary stand-in index (reIndex is deprecated in MongoDB 6)")]
public sealed class MongoReindexStep : Step<MongoReindexOptions>
{
    private const string StandInSuffix = "_runbook_standin";

    public override async Task<StepPlan> PlanAsync(StepContext context, MongoReindexOptions options, CancellationToken cancellationToken)
    {
        using var session = await MongoSession.OpenAsync(context, options, cancellationToken);
        var actions = new List<string>();
        foreach (var collection in await session.CollectionsAsync(options.Collections, cancellationToken))
        {
            foreach (var (spec, skip) in await SelectAsync(session, collection, options, cancellationToken))
            {
                var name = $"{session.Target.Database}.{collection}.{spec["name"].AsString}";
                actions.Add(skip is null
                    ? $"rebuild {name} {spec["key"]}: build stand-in {spec["name"].AsString}{StandInSuffix}, drop, recreate with the same options, drop the stand-in"
                    : $"leave {name}: {skip}");
            }
        }

        return StepPlan.Of([.. actions]);
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, MongoReindexOptions options, CancellationToken cancellationToken)
    {
        using var session = await MongoSession.OpenAsync(context, options, cancellationToken);
        var operations = new List<MaintenanceOperation>();
        var rebuilt = new List<string>();
        var skipped = new List<Dictionary<string, object?>>();
        foreach (var collection in await session.CollectionsAsync(options.Collections, cancellationToken))
        {
            foreach (var (spec, skip) in await SelectAsync(session, collection, options, cancellationToken))
            {
                var name = $"{session.Target.Database}.{collection}.{spec["name"].AsString}";
                if (skip is not null)
                {
                    skipped.Add(new Dictionary<string, object?>(StringComparer.Ordinal) { ["index"] = name, ["reason"] = skip });
                    operations.Add(new MaintenanceOperation("rebuild index", name, MaintenanceOperation.Skipped, 0, Note: skip));
                    continue;
                }

                cancellationToken.ThrowIfCancellationRequested();
                var clock = Stopwatch.StartNew();
                var before = await IndexSizeAsync(session, collection, spec["name"].AsString, cancellationToken);
                await RebuildAsync(session, collection, spec, cancellationToken);
                var after = await IndexSizeAsync(session, collection, spec["name"].AsString, cancellationToken);
                context.Log.Information("  rebuilt {Index}: {Before} -> {After} in {Duration}", name, ByteSize.Format(before), ByteSize.Format(after), Duration.Format(clock.Elapsed));
                operations.Add(new MaintenanceOperation("rebuild index", name, MaintenanceOperation.Done, clock.Elapsed.TotalSeconds, before, after));
                rebuilt.Add(name);
            }
        }

        foreach (var skip in skipped)
        {
            context.Log.Information("  left {Index} as it is: {Reason}", skip["index"], skip["reason"]);
        }

        return new StepOutputs()
            .Add("rebuilt", rebuilt)
            .Add("skipped", skipped)
            .Add("operations", MaintenanceOperation.ToOutputs(operations));
    }

    /// <summary>Stand-in first, then drop and recreate the original, then drop the stand-in: never a moment without an index.</summary>
    private static async Task RebuildAsync(MongoSession session, string collection, BsonDocument spec, CancellationToken cancellationToken)
    {
        var name = spec["name"].AsString;
        var standIn = StandIn(spec);
        var stage = "building the stand-in index";
        try
        {
            await CreateAsync(session, collection, standIn, cancellationToken);
            stage = "dropping the original index";
            await session.Database.GetCollection<BsonDocument>(collection).Indexes.DropOneAsync(name, cancellationToken);
            stage = "recreating the index";
            await CreateAsync(session, collection, Recreated(spec), cancellationToken);
            stage = "dropping the stand-in index";
            await session.Database.GetCollection<BsonDocument>(collection).Indexes.DropOneAsync(standIn["name"].AsString, cancellationToken);
        }
        catch (Exception ex) when (MongoSession.IsDriverError(ex))
        {
            var state = stage switch
            {
                "building the stand-in index" => "nothing changed",
                "dropping the original index" => $"the original is intact; drop the stand-in {standIn["name"]} by hand",
                "recreating the index" => $"the original is GONE and the stand-in {standIn["name"]} serves its queries: recreate {spec} by hand",
                _ => $"the index was rebuilt; drop the stand-in {standIn["name"]} by hand",
            };
            throw session.Failure(ex, $"rebuilding {collection}.{name} ({stage}; {state})");
        }
    }

    private static Task<BsonDocument> CreateAsync(MongoSession session, string collection, BsonDocument spec, CancellationToken cancellationToken) =>
        session.Database.RunCommandAsync<BsonDocument>(new BsonDocument { { "createIndexes", collection }, { "indexes", new BsonArray { spec } } }, cancellationToken: cancellationToken);

    private static BsonDocument Recreated(BsonDocument spec)
    {
        var copy = spec.DeepClone().AsBsonDocument;
        copy.Remove("v");
        copy.Remove("ns");
        copy.Remove("background");
        return copy;
    }

    private static BsonDocument StandIn(BsonDocument spec)
    {
        var copy = Recreated(spec);
        var key = copy["key"].AsBsonDocument.DeepClone().AsBsonDocument;
        key["_id"] = 1;
        copy["key"] = key;
        copy["name"] = spec["name"].AsString + StandInSuffix;

        // A compound index cannot be a TTL index; documents simply wait for the rebuilt original.
        copy.Remove("expireAfterSeconds");
        return copy;
    }

    private static async Task<List<(BsonDocument Spec, string? Skip)>> SelectAsync(MongoSession session, string collection, MongoReindexOptions options, CancellationToken cancellationToken)
    {
        List<BsonDocument> specs;
        try
        {
            using var cursor = await session.Database.GetCollection<BsonDocument>(collection).Indexes.ListAsync(cancellationToken);
            specs = await cursor.ToListAsync(cancellationToken);
        }
        catch (Exception ex) when (MongoSession.IsDriverError(ex))
        {
            throw session.Failure(ex, $"listing the indexes of {collection}");
        }

        var names = specs.Select(s => s["name"].AsString).ToHashSet(StringComparer.Ordinal);
        return [.. specs
            .Where(spec => options.Indexes.Count == 0 || options.Indexes.Contains(spec["name"].AsString, StringComparer.Ordinal))
            .Select(spec => (spec, Why(spec, names)))];
    }

    private static string? Why(BsonDocument spec, HashSet<string> names)
    {
        var name = spec["name"].AsString;
        var key = spec["key"].AsBsonDocument;
        if (name == "_id_")
        {
            return "the _id index cannot be dropped";
        }

        if (name.EndsWith(StandInSuffix, StringComparison.Ordinal))
        {
            return "a stand-in left by an interrupted rebuild: drop it once the original exists";
        }

        if (names.Contains(name + StandInSuffix))
        {
            return $"its stand-in {name}{StandInSuffix} still exists from an interrupted rebuild: check the index, then drop the stand-in";
        }

        if (spec.GetValue("unique", false).ToBoolean())
        {
            return "unique: while it is rebuilt nothing would enforce uniqueness, so it is left as it is";
        }

        if (key.Any(element => !element.Value.IsNumeric))
        {
            return $"a special index type ({string.Join(", ", key.Where(e => !e.Value.IsNumeric).Select(e => e.Value.ToString()).Distinct(StringComparer.Ordinal))}) that no stand-in can cover";
        }

        return key.Contains("_id") ? "its key contains _id, so no distinct stand-in can be built" : null;
    }

    private static async Task<long> IndexSizeAsync(MongoSession session, string collection, string index, CancellationToken cancellationToken)
    {
        var stats = await session.Database.RunCommandAsync<BsonDocument>(new BsonDocument { { "collStats", collection }, { "scale", 1 } }, cancellationToken: cancellationToken);
        return stats.TryGetValue("indexSizes", out var sizes) && sizes is BsonDocument map && map.TryGetValue(index, out var size) && size.IsNumeric ? size.ToInt64() : 0;
    }
}
