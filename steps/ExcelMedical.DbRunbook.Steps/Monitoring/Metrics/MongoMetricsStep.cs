using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Mongo;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Metrics;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.Steps.Monitoring.Metrics;

/// <summary>
/// The guide's MongoDB metrics: database and storage size, connections, long-running operations,
/// per-collection size, documents and indexes, and replica set status (a standalone server is
/// "not applicable", as mongodb_exporter treats codes 76 and 94). Each one that cannot be read is
/// an UNKNOWN sample.
/// </summary>
[Step("mongo.metrics", "Measure MongoDB: database/storage size, connections, long operations, collections, replica set status")]
public sealed class MongoMetricsStep : Step<MongoMetricsOptions>
{
    public override Task<StepPlan> PlanAsync(StepContext context, MongoMetricsOptions options, CancellationToken cancellationToken)
    {
        var target = MongoTarget.From(context.Connections.Get(options.Connection), options.Database, context.Secrets);
        return Task.FromResult(StepPlan.Of($"read serverStatus, dbStats, collStats, currentOp and replSetGetStatus from {target.Display} (read-only)"));
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, MongoMetricsOptions options, CancellationToken cancellationToken)
    {
        var target = MongoTarget.From(context.Connections.Get(options.Connection), options.Database, context.Secrets);
        var server = string.Join(',', target.Url.Servers.Select(s => $"{s.Host}:{s.Port}"));
        var set = new MetricSet();
        using var client = target.CreateClient(options.ServerSelectionTimeout);
        try
        {
            await target.PingAsync(client, options.ServerSelectionTimeout, context.Secrets, cancellationToken);
        }
        catch (StepFailedException ex)
        {
            context.Log.Error("  {Message}", ex.Message);
            set.Unknown("mongo.up", server, ex.Message);
            set.Details["up"] = false;
            return set.ToOutputs();
        }

        set.Add("mongo.up", server, 1, string.Empty);
        set.Details["up"] = true;
        var admin = client.GetDatabase("admin");
        var database = client.GetDatabase(target.Database);
        await Measure(context, client, target, options, set, "mongo.connections", server, async () =>
        {
            var status = await admin.RunCommandAsync<BsonDocument>(new BsonDocument("serverStatus", 1), cancellationToken: cancellationToken);
            var connections = status["connections"].AsBsonDocument;
            var current = connections["current"].ToInt64();
            var available = connections.GetValue("available", 0).ToInt64();
            set.Add("mongo.connections", server, current, "connections", $"{current} current, {available} available");
            set.Details["connections"] = current;
            set.Details["connections_available"] = available;
            set.Details["version"] = status.GetValue("version", string.Empty).ToString();
        });
        await Measure(context, client, target, options, set, "mongo.db_size", target.Database, async () =>
        {
            var stats = await database.RunCommandAsync<BsonDocument>(new BsonDocument { { "dbStats", 1 }, { "scale", 1 } }, cancellationToken: cancellationToken);
            var dataSize = stats.GetValue("dataSize", 0).ToDouble();
            var storageSize = stats.GetValue("storageSize", 0).ToDouble();
            var indexSize = stats.GetValue("indexSize", 0).ToDouble();
            set.Add("mongo.db_size", target.Database, dataSize, "bytes", $"{stats.GetValue("objects", 0).ToInt64()} documents in {stats.GetValue("collections", 0).ToInt64()} collections");
            set.Add("mongo.storage_size", target.Database, storageSize, "bytes");
            set.Add("mongo.index_size", target.Database, indexSize, "bytes");
            set.Details["db_size_bytes"] = (long)dataSize;
            set.Details["storage_size_bytes"] = (long)storageSize;
            set.Details["index_size_bytes"] = (long)indexSize;
        });
        await Measure(context, client, target, options, set, "mongo.operation_seconds", server, () => LongOperationsAsync(admin, options, set, server, cancellationToken));
        await Measure(context, client, target, options, set, "mongo.collection_size", target.Database, () => CollectionsAsync(database, target.Database, set, cancellationToken));
        await Measure(context, client, target, options, set, "mongo.replica_set", server, () => ReplicaSetAsync(admin, set, server, cancellationToken));
        return set.ToOutputs();
    }

    private static async Task LongOperationsAsync(IMongoDatabase admin, MongoMetricsOptions options, MetricSet set, string server, CancellationToken cancellationToken)
    {
        var result = await admin.RunCommandAsync<BsonDocument>(new BsonDocument { { "currentOp", true }, { "active", true } }, cancellationToken: cancellationToken);
        var operations = new List<object?>();
        var longest = 0.0;
        string? longestDetail = null;
        foreach (var op in result.GetValue("inprog", new BsonArray()).AsBsonArray.OfType<BsonDocument>())
        {
            var ns = op.GetValue("ns", string.Empty).ToString() ?? string.Empty;
            if (ns.Length == 0 || ns.StartsWith("admin.", StringComparison.Ordinal) || ns.StartsWith("local.", StringComparison.Ordinal) || ns.StartsWith("config.", StringComparison.Ordinal))
            {
                continue;
            }

            var seconds = op.Contains("microsecs_running") ? op["microsecs_running"].ToDouble() / 1_000_000 : op.GetValue("secs_running", 0).ToDouble();
            seconds = Math.Round(seconds, 1);
            var kind = op.GetValue("op", string.Empty).ToString();
            var detail = string.Create(CultureInfo.InvariantCulture, $"opid {op.GetValue("opid", BsonNull.Value)} {kind} on {ns} running {seconds:0} s");
            if (seconds > longest)
            {
                longest = seconds;
                longestDetail = detail;
            }

            if (seconds > options.LongOperationThreshold.TotalSeconds)
            {
                operations.Add(new Dictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["opid"] = op.GetValue("opid", BsonNull.Value).ToString(),
                    ["op"] = kind,
                    ["ns"] = ns,
                    ["seconds"] = seconds,
                });
            }
        }

        set.Add("mongo.operation_seconds", server, longest, "seconds", longestDetail);
        set.Details["longest_operation_seconds"] = longest;
        set.Details["long_operations"] = operations;
    }

    private static async Task CollectionsAsync(IMongoDatabase database, string databaseName, MetricSet set, CancellationToken cancellationToken)
    {
        var collections = new List<object?>();
        using var cursor = await database.ListCollectionsAsync(cancellationToken: cancellationToken);
        var names = (await cursor.ToListAsync(cancellationToken))
            .Where(c => c.GetValue("type", "collection").ToString() == "collection")
            .Select(c => c["name"].AsString)
            .Where(n => !n.StartsWith("system.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (var name in names)
        {
            var stats = await database.RunCommandAsync<BsonDocument>(new BsonDocument { { "collStats", name }, { "scale", 1 } }, cancellationToken: cancellationToken);
            var key = $"{databaseName}.{name}";
            var size = stats.GetValue("size", 0).ToDouble();
            var count = stats.GetValue("count", 0).ToDouble();
            var indexes = stats.GetValue("nindexes", 0).ToDouble();
            set.Add("mongo.collection_size", key, size, "bytes");
            set.Add("mongo.collection_documents", key, count, "documents");
            set.Add("mongo.collection_indexes", key, indexes, "indexes");
            collections.Add(new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["name"] = name,
                ["documents"] = (long)count,
                ["size_bytes"] = (long)size,
                ["storage_size_bytes"] = (long)stats.GetValue("storageSize", 0).ToDouble(),
                ["indexes"] = (long)indexes,
                ["index_size_bytes"] = (long)stats.GetValue("totalIndexSize", 0).ToDouble(),
            });
        }

        set.Details["collections"] = collections;
    }

    private static async Task ReplicaSetAsync(IMongoDatabase admin, MetricSet set, string server, CancellationToken cancellationToken)
    {
        BsonDocument status;
        try
        {
            status = await admin.RunCommandAsync<BsonDocument>(new BsonDocument("replSetGetStatus", 1), cancellationToken: cancellationToken);
        }
        catch (MongoCommandException ex) when (ex.Code is 76 or 94)
        {
            set.Details["replica_set"] = "not applicable (standalone server)";
            return;
        }

        var members = status.GetValue("members", new BsonArray()).AsBsonArray.OfType<BsonDocument>().ToList();
        var primary = members.FirstOrDefault(m => m.GetValue("stateStr", string.Empty).ToString() == "PRIMARY");
        var setName = status.GetValue("set", server).ToString() ?? server;
        var unhealthy = members.Count(m => m.GetValue("health", 1).ToDouble() < 1);
        var lag = primary is null ? 0 : members
            .Where(m => m.Contains("optimeDate"))
            .Select(m => Math.Abs((primary["optimeDate"].ToUniversalTime() - m["optimeDate"].ToUniversalTime()).TotalSeconds))
            .DefaultIfEmpty(0)
            .Max();
        set.Add("mongo.replica_members_down", setName, unhealthy, "members", string.Join(", ", members.Select(m => $"{m.GetValue("name", "?")} {m.GetValue("stateStr", "?")}")));
        set.Add("mongo.replication_lag_seconds", setName, lag, "seconds", primary is null ? "no primary" : null);
        set.Details["replica_set"] = $"{setName}: {members.Count} members, {unhealthy} down, {(primary is null ? "no primary" : "primary " + primary.GetValue("name", "?"))}";
    }

    private static async Task Measure(StepContext context, IMongoClient client, MongoTarget target, MongoMetricsOptions options, MetricSet set, string metric, string sampleTarget, Func<Task> read)
    {
        try
        {
            await read();
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException or InvalidCastException or KeyNotFoundException)
        {
            var reason = ex is MongoException or TimeoutException ? target.Failure(client, ex, metric, options.ServerSelectionTimeout, context.Secrets).Message : context.Secrets.Apply(ex.Message);
            context.Log.Warning("  {Metric} cannot be read: {Reason}", metric, reason);
            set.Unknown(metric, sampleTarget, reason);
        }
    }
}
