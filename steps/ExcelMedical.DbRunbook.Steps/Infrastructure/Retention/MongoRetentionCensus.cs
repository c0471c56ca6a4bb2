using ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;
using ExcelMedical.DbRunbook.Steps.Retention;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Retention;

/// <summary>What the retention policy means for one collection right now.</summary>
internal sealed record CollectionCensus(MongoRetentionPolicy Policy, DateTimeOffset Cutoff, long Documents, long Older, string? Refusal, string? Held = null) : IRetentionCensus
{
    string IRetentionCensus.EntryName => Policy.Collection;

    string IRetentionCensus.Field => Policy.Field;

    int IRetentionCensus.Days => Policy.Days;

    public double Share => RetentionGuard.Share(Older, Documents);

    public FilterDefinition<BsonDocument> OlderFilter => Builders<BsonDocument>.Filter.Lt(Policy.Field, new BsonDateTime(Cutoff.UtcDateTime));

    public Dictionary<string, object?> ToOutput() => new(StringComparer.Ordinal)
    {
        ["collection"] = Policy.Collection,
        ["field"] = Policy.Field,
        ["days"] = Policy.Days,
        ["cutoff"] = RetentionGuard.Format(Cutoff),
        ["documents"] = Documents,
        ["documents_to_delete"] = Refusal is null && Held is null ? Older : 0L,
        ["documents_older"] = Older,
        ["share"] = Math.Round(Share, 4),
        ["refused"] = Refusal,
        ["held"] = Held,
    };
}

/// <summary>
/// Checks and counts every collection of a retention policy. The dry run prints it and the real
/// run deletes from it, so the plan's counts are exactly what the run deletes.
/// </summary>
internal static class MongoRetentionCensus
{
    public static async Task<IReadOnlyList<CollectionCensus>> TakeAsync(MongoSession session, MongoRetentionOptions options, DateTimeOffset runStarted, CancellationToken cancellationToken)
    {
        var existing = (await session.CollectionsAsync([], cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var census = new List<CollectionCensus>();
        var confirmed = RetentionGuard.Confirmed(options.AllowLargeDeleteFor);
        foreach (var policy in options.Collections)
        {
            var cutoff = RetentionGuard.Cutoff(runStarted, policy.Days);
            try
            {
                census.Add(await CountAsync(session, policy, cutoff, existing, options.MaxDeleteShare, confirmed, cancellationToken));
            }
            catch (Exception ex) when (MongoSession.IsDriverError(ex))
            {
                throw session.Failure(ex, $"counting the documents of {policy.Collection} to purge");
            }
        }

        return census;
    }

    private static async Task<CollectionCensus> CountAsync(MongoSession session, MongoRetentionPolicy policy, DateTimeOffset cutoff, HashSet<string> existing, double maxShare, IReadOnlySet<string> confirmed, CancellationToken cancellationToken)
    {
        var name = $"{session.Target.Database}.{policy.Collection}";
        if (!existing.Contains(policy.Collection))
        {
            return new CollectionCensus(policy, cutoff, 0, 0, $"collection {name} does not exist (it has: {(existing.Count == 0 ? "none" : string.Join(", ", existing.Order(StringComparer.Ordinal)))})");
        }

        var collection = session.Database.GetCollection<BsonDocument>(policy.Collection);
        var filter = Builders<BsonDocument>.Filter;
        var documents = await collection.CountDocumentsAsync(filter.Empty, cancellationToken: cancellationToken);
        var dates = await collection.CountDocumentsAsync(filter.Type(policy.Field, BsonType.DateTime), cancellationToken: cancellationToken);
        var others = await collection.CountDocumentsAsync(filter.And(filter.Exists(policy.Field), filter.Not(filter.Type(policy.Field, BsonType.DateTime))), cancellationToken: cancellationToken);
        if (documents > 0 && dates == 0)
        {
            return new CollectionCensus(policy, cutoff, documents, 0, $"no document of {name} has a date in '{policy.Field}' ({others} hold another type): check the field name");
        }

        if (others > 0)
        {
            return new CollectionCensus(policy, cutoff, documents, 0, $"{others} document(s) of {name} hold '{policy.Field}' as another type than a date, which a date cutoff never matches: fix the data or the field name");
        }

        var census = new CollectionCensus(policy, cutoff, documents, 0, null);
        var older = await collection.CountDocumentsAsync(census.OlderFilter, cancellationToken: cancellationToken);
        var held = RetentionGuard.Check(name, policy.Field, policy.Days, older, documents, maxShare, policy.AllowLargeDelete || confirmed.Contains(policy.Collection));
        return census with { Older = older, Held = held };
    }
}
