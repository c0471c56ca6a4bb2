using System.Globalization;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>Connection-level commands: hello/isMaster, buildInfo, ping, endSessions, whatsmyuri, connectionStatus.</summary>
internal sealed class HandshakeCommands : ICommandFamily
{
    public void Register(CommandTable table)
    {
        table.Add("hello", context => Hello(context, legacy: false));
        table.Add("isMaster", context => Hello(context, legacy: true));
        table.Add("ismaster", context => Hello(context, legacy: true));
        table.Add("buildInfo", BuildInfo);
        table.Add("buildinfo", BuildInfo);
        table.Add("ping", _ => Ok());
        table.Add("endSessions", _ => Ok());
        table.Add("whatsmyuri", context => new BsonDocument { { "you", context.Connection.Client }, { "ok", 1.0 } });
        table.Add("connectionStatus", _ => new BsonDocument
        {
            { "authInfo", new BsonDocument { { "authenticatedUsers", new BsonArray() }, { "authenticatedUserRoles", new BsonArray() } } },
            { "ok", 1.0 },
        });
    }

    public static BsonDocument Ok() => new("ok", 1.0);

    /// <summary>
    /// A standalone 6.0 server's hello. topologyVersion is left out on purpose: without it the
    /// driver monitors by polling instead of the streaming (exhaust) protocol, which this server lacks.
    /// </summary>
    private static BsonDocument Hello(CommandContext context, bool legacy)
    {
        if (context.Connection.ClientMetadata is null && context.Command.TryGetValue("client", out var client) && client is BsonDocument metadata)
        {
            context.Connection.ClientMetadata = metadata;
        }

        var reply = new BsonDocument();
        if (CommandArguments.Flag(context.Command, "helloOk"))
        {
            reply["helloOk"] = true;
        }

        reply[legacy ? "ismaster" : "isWritablePrimary"] = true;
        reply.AddRange(new BsonDocument
        {
            { "maxBsonObjectSize", 16 * 1024 * 1024 },
            { "maxMessageSizeBytes", 48_000_000 },
            { "maxWriteBatchSize", 100_000 },
            { "localTime", new BsonDateTime(context.Now.UtcDateTime) },
            { "logicalSessionTimeoutMinutes", 30 },
            { "connectionId", context.Connection.Id },
            { "minWireVersion", 0 },
            { "maxWireVersion", 17 },
            { "readOnly", false },
            { "ok", 1.0 },
        });
        return reply;
    }

    private static BsonDocument BuildInfo(CommandContext context)
    {
        var version = context.Server.Options.Version;
        var parts = version.Split('.').Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0).ToList();
        while (parts.Count < 4)
        {
            parts.Add(0);
        }

        return new BsonDocument
        {
            { "version", version },
            { "gitVersion", "0000000000000000000000000000000000000000" },
            { "modules", new BsonArray() },
            { "allocator", "system" },
            { "javascriptEngine", "none" },
            { "sysInfo", "deprecated" },
            { "versionArray", new BsonArray(parts.Take(4)) },
            { "openssl", new BsonDocument { { "running", "disabled" }, { "compiled", "disabled" } } },
            { "buildEnvironment", new BsonDocument("distmod", "mongo-wire-test-server") },
            { "bits", 64 },
            { "debug", false },
            { "maxBsonObjectSize", 16 * 1024 * 1024 },
            { "storageEngines", new BsonArray { "wiredTiger" } },
            { "ok", 1.0 },
        };
    }
}
