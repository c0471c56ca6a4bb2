using System.Diagnostics;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>
/// serverStatus: identity, uptime, connections, network and opcounters from the live counters.
/// Sections a test double has nothing true to say about (wiredTiger, repl, locks...) are left out,
/// and section toggles such as {repl: 0} are accepted and ignored.
/// </summary>
internal sealed class ServerStatusCommand : ICommandFamily
{
    /// <summary>Reported as connections.current + available; mongod's default maxIncomingConnections.</summary>
    private const long MaxIncomingConnections = 1_000_000;

    private const long Mebibyte = 1024 * 1024;

    public void Register(CommandTable table) => table.Add("serverStatus", ServerStatus);

    private static BsonDocument ServerStatus(CommandContext context)
    {
        var server = context.Server;
        var counters = server.Counters;
        var uptime = server.Uptime;
        var current = counters.CurrentConnections;
        return new BsonDocument
        {
            { "host", server.Host },
            { "version", server.Options.Version },
            { "process", "mongod" },
            { "pid", (long)Environment.ProcessId },
            { "uptime", Math.Floor(uptime.TotalSeconds) },
            { "uptimeMillis", (long)uptime.TotalMilliseconds },
            { "uptimeEstimate", (long)uptime.TotalSeconds },
            { "localTime", new BsonDateTime(context.Now.UtcDateTime) },
            { "asserts", new BsonDocument { { "regular", 0 }, { "warning", 0 }, { "msg", 0 }, { "user", 0 }, { "tripwire", 0 }, { "rollovers", 0 } } },
            {
                "connections", new BsonDocument
                {
                    { "current", (int)current },
                    { "available", (int)(MaxIncomingConnections - current) },
                    { "totalCreated", counters.TotalConnections },
                    { "rejected", 0L },
                    { "active", server.Operations.ActiveConnections },
                    { "threaded", (int)current },
                    { "exhaustIsMaster", 0L },
                    { "exhaustHello", 0L },
                    { "awaitingTopologyChanges", 0L },
                }
            },
            {
                "network", new BsonDocument
                {
                    { "bytesIn", counters.BytesIn },
                    { "bytesOut", counters.BytesOut },
                    { "physicalBytesIn", counters.BytesIn },
                    { "physicalBytesOut", counters.BytesOut },
                    { "numSlowDNSOperations", 0L },
                    { "numSlowSSLOperations", 0L },
                    { "numRequests", counters.Requests },
                }
            },
            {
                "opcounters", new BsonDocument
                {
                    { "insert", counters.Insert },
                    { "query", counters.Query },
                    { "update", counters.Update },
                    { "delete", counters.Delete },
                    { "getmore", counters.GetMore },
                    { "command", counters.Command },
                }
            },
            { "mem", Memory() },
            {
                "metrics", new BsonDocument("cursor", new BsonDocument
                {
                    { "timedOut", 0L },
                    { "open", new BsonDocument { { "noTimeout", 0L }, { "pinned", 0L }, { "total", (long)server.Cursors.OpenCount } } },
                })
            },
            { "storageEngine", new BsonDocument { { "name", "wiredTiger" }, { "supportsCommittedReads", true }, { "persistent", false } } },
            { "ok", 1.0 },
        };
    }

    /// <summary>The test process's own memory, in MiB like mongod's mem section.</summary>
    private static BsonDocument Memory()
    {
        using var process = Process.GetCurrentProcess();
        return new BsonDocument
        {
            { "bits", 64 },
            { "resident", (int)(process.WorkingSet64 / Mebibyte) },
            { "virtual", (int)(process.VirtualMemorySize64 / Mebibyte) },
            { "supported", true },
        };
    }
}
