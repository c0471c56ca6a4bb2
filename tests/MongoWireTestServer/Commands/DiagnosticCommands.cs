using ExcelMedical.DbRunbook.MongoWireTestServer.Diagnostics;
using ExcelMedical.DbRunbook.MongoWireTestServer.Query;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>currentOp, killOp, sleep (to have a real operation to look at and kill) and the replica-set status a standalone gives.</summary>
internal sealed class DiagnosticCommands : ICommandFamily
{
    /// <summary>currentOp fields that are options, not part of the filter on the inprog entries.</summary>
    private static readonly HashSet<string> CurrentOpOptions = new(StringComparer.Ordinal) { "$all", "$ownOps", "$truncateOps", "allUsers", "idleConnections" };

    private static readonly TimeSpan DefaultSleep = TimeSpan.FromSeconds(10);

    public void Register(CommandTable table)
    {
        table.Add("currentOp", CurrentOp);
        table.Add("killOp", KillOp);
        table.Add("replSetGetStatus", NotAReplicaSet);
        table.Add("replSetGetConfig", NotAReplicaSet);
        table.AddAsync("sleep", SleepAsync);
    }

    /// <summary>
    /// {currentOp: 1, &lt;filter fields&gt;}: every other field is a query on the inprog entries, e.g.
    /// {secs_running: {$gte: 60}}. Only operations in progress are listed; idle connections never are.
    /// </summary>
    private static BsonDocument CurrentOp(CommandContext context)
    {
        context.RequireAdminDatabase();
        var filterDocument = new BsonDocument();
        foreach (var element in context.Command.Skip(1))
        {
            if (!CurrentOpOptions.Contains(element.Name) && !GenericArguments.Contains(element.Name))
            {
                filterDocument.Add(element);
            }
        }

        var filter = FilterParser.Parse(filterDocument);
        var entries = context.Server.Operations.Snapshot()
            .Select(operation => CurrentOpEntry.Describe(operation, context.Server.Host, context.Now))
            .Where(filter.Matches);
        return new BsonDocument { { "inprog", new BsonArray(entries) }, { "ok", 1.0 } };
    }

    /// <summary>Like mongod, the reply is the same whether or not the opid was running.</summary>
    private static BsonDocument KillOp(CommandContext context)
    {
        context.RequireAdminDatabase();
        if (!context.Command.TryGetValue("op", out var op))
        {
            throw new MongoCommandError(ErrorCodes.NoSuchKey, "Did not provide \"op\" field");
        }

        if (!BsonOrder.IsNumber(op))
        {
            throw new MongoCommandError(ErrorCodes.TypeMismatch, $"Expected field \"op\" to be a number, got {op.BsonType}");
        }

        context.Server.Operations.Kill(op.ToInt64());
        return new BsonDocument { { "info", "attempting to kill op" }, { "ok", 1.0 } };
    }

    private static BsonDocument NotAReplicaSet(CommandContext context)
    {
        context.RequireAdminDatabase();
        throw new MongoCommandError(ErrorCodes.NoReplicationEnabled, "not running with --replSet");
    }

    /// <summary>
    /// mongod's test command {sleep: 1, millis | secs: n}: stays in currentOp for that long without
    /// holding the storage lock, and ends with Interrupted (11601) when killOp names it.
    /// </summary>
    private static async Task<BsonDocument> SleepAsync(CommandContext context)
    {
        var millis = CommandArguments.OptionalInt(context.Command, "millis");
        var secs = CommandArguments.OptionalInt(context.Command, "secs");
        var duration = millis is { } ms ? TimeSpan.FromMilliseconds(ms)
            : secs is { } s ? TimeSpan.FromSeconds(s)
            : DefaultSleep;
        if (duration < TimeSpan.Zero)
        {
            throw new MongoCommandError(ErrorCodes.BadValue, "sleep duration must not be negative");
        }

        await Task.Delay(duration, context.Server.Clock, context.Operation.Cancellation);
        return HandshakeCommands.Ok();
    }
}
