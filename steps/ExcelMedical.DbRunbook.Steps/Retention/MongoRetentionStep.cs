using System.Diagnostics;
using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Retention;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.Steps.Retention;

/// <summary>
/// The guide's MongoDB data retention: documents older than each collection's period are deleted
/// in batches of _ids, with a pause between batches. The same guard rails as postgres.retention:
/// the collection must exist, the field must hold dates, and no purge may remove more than
/// max_delete_share of a collection unless the playbook allows it; otherwise nothing is deleted.
/// </summary>
[Step("mongo.retention", "Purge MongoDB documents older than each collection's retention period in batches, with guard rails; the dry run counts exactly what would go")]
public sealed class MongoRetentionStep : Step<MongoRetentionOptions>
{
    public override async Task<StepPlan> PlanAsync(StepContext context, MongoRetentionOptions options, CancellationToken cancellationToken)
    {
        using var session = await MongoSession.OpenAsync(context, options, cancellationToken);
        var census = await MongoRetentionCensus.TakeAsync(session, options, context.Run.Started, cancellationToken);
        var refused = census.Count(c => c.Refusal is not null);
        var actions = new List<string>();
        foreach (var collection in census)
        {
            var name = $"{session.Target.Database}.{collection.Policy.Collection}";
            if (collection.Refusal is not null)
            {
                actions.Add($"refuse {name}: {collection.Refusal}");
                continue;
            }

            var what = string.Create(CultureInfo.InvariantCulture,
                $"{collection.Older:N0} of {collection.Documents:N0} documents ({RetentionGuard.Percent(collection.Share)}) from {name}: {collection.Policy.Field} before the cutoff {RetentionGuard.Format(collection.Cutoff)} ({collection.Policy.Days} days)");
            actions.Add(refused == 0 ? "delete " + what : $"count {what}, but delete none of them because of the refusal");
        }

        // A BSON date is milliseconds since the epoch in UTC, so no time zone enters the comparison.
        actions.Add("compare each field with the cutoff instant as is: BSON dates are UTC instants (values of another type never match and are refused above)");
        actions.Add(refused > 0
            ? $"delete NOTHING and fail: {refused} collection(s) refused by the guard rails above"
            : $"delete in batches of {options.BatchSize} documents (by _id), {Duration.Format(options.BatchPause)} pause between batches");
        return StepPlan.Of(Outputs(session.Target.Database, census, null), [.. actions]);
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, MongoRetentionOptions options, CancellationToken cancellationToken)
    {
        using var session = await MongoSession.OpenAsync(context, options, cancellationToken);
        var census = await MongoRetentionCensus.TakeAsync(session, options, context.Run.Started, cancellationToken);
        var refused = census.Where(c => c.Refusal is not null).ToList();
        if (refused.Count > 0)
        {
            RetentionGuard.Alert(context, "mongo", refused.Select(c => (c.Policy.Collection, c.Refusal!)));
            throw new StepFailedException(RetentionGuard.Refused(refused.Select(c => c.Refusal!)));
        }

        var results = new List<RetentionPurge<CollectionCensus>>();
        foreach (var collection in census)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results.Add(await PurgeAsync(context, session, options, collection, cancellationToken));
        }

        return Outputs(session.Target.Database, census, results);
    }

    private static async Task<RetentionPurge<CollectionCensus>> PurgeAsync(StepContext context, MongoSession session, MongoRetentionOptions options, CollectionCensus census, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var name = $"{session.Target.Database}.{census.Policy.Collection}";
        var collection = session.Database.GetCollection<BsonDocument>(census.Policy.Collection);
        long deleted = 0;
        var batches = 0;
        try
        {
            var before = await session.StorageAsync(census.Policy.Collection, cancellationToken);
            if (census.Older > 0)
            {
                context.Log.Information("  {Collection}: deleting {Documents} document(s) with {Field} < {Cutoff} ({Days} days)", name, census.Older, census.Policy.Field, RetentionGuard.Format(census.Cutoff), census.Policy.Days);
            }

            while (census.Older > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var ids = await collection.Find(census.OlderFilter)
                    .Project(Builders<BsonDocument>.Projection.Include("_id"))
                    .Limit(options.BatchSize)
                    .ToListAsync(cancellationToken);
                if (ids.Count == 0)
                {
                    break;
                }

                // The cutoff is checked again by the delete itself: a document changed since the find stays.
                var filter = Builders<BsonDocument>.Filter.And(Builders<BsonDocument>.Filter.In("_id", ids.Select(d => d["_id"])), census.OlderFilter);
                var result = await collection.DeleteManyAsync(filter, cancellationToken);
                deleted += result.DeletedCount;
                batches++;
                context.Log.Debug("  {Collection}: batch {Batch} deleted {Count}, {Deleted} so far", name, batches, result.DeletedCount, deleted);
                if (ids.Count < options.BatchSize)
                {
                    break;
                }

                if (options.BatchPause > TimeSpan.Zero)
                {
                    await Task.Delay(options.BatchPause, context.Time, cancellationToken);
                }
            }

            var after = await session.StorageAsync(census.Policy.Collection, cancellationToken);
            context.Log.Information("  {Collection}: deleted {Deleted} of {Documents} document(s) older than {Cutoff} in {Batches} batch(es), {Before} -> {After}, {Duration}",
                name, deleted, census.Documents, RetentionGuard.Format(census.Cutoff), batches, ByteSize.Format(before.TotalBytes), ByteSize.Format(after.TotalBytes), Duration.Format(clock.Elapsed));
            return new RetentionPurge<CollectionCensus>(census, deleted, batches, before.TotalBytes, after.TotalBytes, clock.Elapsed.TotalSeconds);
        }
        catch (Exception ex) when (MongoSession.IsDriverError(ex))
        {
            throw session.Failure(ex, $"purging {name} (stopped after {deleted} document(s) in {batches} batch(es); they stay deleted)");
        }
    }

    private static StepOutputs Outputs(string database, IReadOnlyList<CollectionCensus> census, IReadOnlyList<RetentionPurge<CollectionCensus>>? results) =>
        RetentionOutputs.Of(census, results, "collections", "documents", c => $"{database}.{c.Policy.Collection}");
}
