using System.Globalization;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Diagnostics;

/// <summary>Formats one element of currentOp's inprog array (also what $currentOp emits), with mongod 6.0's field names.</summary>
internal static class CurrentOpEntry
{
    /// <summary>mongod truncates commands above 1 KB in currentOp output.</summary>
    private const int MaxCommandBytes = 1024;

    public static BsonDocument Describe(IInProgressOperation operation, string host, DateTimeOffset now)
    {
        var connection = operation.Connection;
        var elapsed = operation.Elapsed;
        var entry = new BsonDocument
        {
            { "type", "op" },
            { "host", host },
            { "desc", $"conn{connection.Id}" },
            { "connectionId", connection.Id },
            { "client", connection.Client },
        };
        if (connection.AppName is { } appName)
        {
            entry["appName"] = appName;
        }

        if (connection.ClientMetadata is { } metadata)
        {
            entry["clientMetadata"] = metadata;
        }

        entry.AddRange(new BsonDocument
        {
            { "active", true },
            { "currentOpTime", now.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture) },
            { "threaded", true },
            { "opid", operation.OpId },
            { "secs_running", (long)elapsed.TotalSeconds },
            { "microsecs_running", elapsed.Ticks / 10 },
            { "op", operation.Op },
            { "ns", operation.Namespace },
            { "command", Truncated(operation.Command) },
            { "numYields", 0 },
            { "locks", new BsonDocument() },
            { "waitingForLock", false },
            { "lockStats", new BsonDocument() },
        });
        if (operation.KillPending)
        {
            entry["killPending"] = true;
        }

        return entry;
    }

    private static BsonDocument Truncated(BsonDocument command)
    {
        if (command.ToBson().Length <= MaxCommandBytes)
        {
            return command;
        }

        var json = command.ToJson();
        return new BsonDocument("$truncated", json[..Math.Min(json.Length, MaxCommandBytes)]);
    }
}
