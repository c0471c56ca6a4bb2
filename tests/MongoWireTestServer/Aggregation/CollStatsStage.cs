using ExcelMedical.DbRunbook.MongoWireTestServer.Commands;
using ExcelMedical.DbRunbook.MongoWireTestServer.Storage;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Aggregation;

/// <summary>$collStats with latencyStats, storageStats, count and queryExecStats.</summary>
internal sealed class CollStatsStage : ISourceStage
{
    private readonly BsonDocument options;

    public CollStatsStage(BsonDocument options)
    {
        foreach (var option in options.Names)
        {
            if (option is not ("latencyStats" or "storageStats" or "count" or "queryExecStats"))
            {
                throw new MongoCommandError(40168, $"unrecognized option to $collStats: {option}");
            }
        }

        this.options = options;
    }

    public bool IsDatabaseLevel => false;

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, CommandContext context)
    {
        var collection = context.FindCollection();
        var result = new BsonDocument
        {
            { "ns", context.Namespace },
            { "host", context.Server.Host },
            { "localTime", new BsonDateTime(context.Now.UtcDateTime) },
        };
        if (options.Contains("latencyStats"))
        {
            result["latencyStats"] = LatencyStats(collection?.Latency);
        }

        if (options.TryGetValue("storageStats", out var storage))
        {
            var scale = storage is BsonDocument storageOptions ? CommandArguments.Scale(storageOptions) : 1;
            result["storageStats"] = StatisticsReports.Collection(collection, scale);
        }

        if (options.Contains("count"))
        {
            result["count"] = (long)(collection?.Count ?? 0);
        }

        if (options.Contains("queryExecStats"))
        {
            result["queryExecStats"] = new BsonDocument("collectionScans", new BsonDocument { { "total", 0L }, { "nonTailable", 0L } });
        }

        return [result];
    }

    private static BsonDocument LatencyStats(CollectionLatency? latency)
    {
        static BsonDocument Entry((long Ops, long Micros) stats) =>
            new() { { "latency", stats.Micros }, { "ops", stats.Ops } };

        return new BsonDocument
        {
            { "reads", Entry(latency?.Reads ?? default) },
            { "writes", Entry(latency?.Writes ?? default) },
            { "commands", Entry(latency?.Commands ?? default) },
            { "transactions", Entry(default) },
        };
    }
}
