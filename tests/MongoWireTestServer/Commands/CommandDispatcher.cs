using ExcelMedical.DbRunbook.MongoWireTestServer.Hosting;
using ExcelMedical.DbRunbook.MongoWireTestServer.Storage;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>
/// Routes a command document to its handler, tracks it as an in-flight operation, counts it
/// in opcounters and turns every failure into mongod's {ok: 0, errmsg, code, codeName}.
/// </summary>
internal sealed class CommandDispatcher
{
    private readonly CommandTable table = new();
    private readonly ServerState state;

    public CommandDispatcher(ServerState state, IEnumerable<ICommandFamily> families)
    {
        this.state = state;
        foreach (var family in families)
        {
            family.Register(table);
        }
    }

    public static CommandDispatcher CreateDefault(ServerState state) => new(state,
    [
        new HandshakeCommands(),
        new DatabaseCommands(),
        new CollectionCommands(),
        new IndexCommands(),
        new QueryCommands(),
        new InsertCommand(),
        new UpdateCommand(),
        new DeleteCommand(),
        new AggregateCommand(),
        new StatsCommands(),
        new ServerStatusCommand(),
        new MaintenanceCommands(),
        new DiagnosticCommands(),
    ]);

    public async Task<BsonDocument> DispatchAsync(BsonDocument command, string database, ConnectionInfo connection, CancellationToken stopping)
    {
        if (command.ElementCount == 0)
        {
            return new MongoCommandError(ErrorCodes.FailedToParse, "no command name given").ToReply();
        }

        using var operation = state.Operations.Begin(connection, database, command, stopping);
        var context = new CommandContext(command, database, connection, state, operation);
        var started = state.Clock.GetTimestamp();
        try
        {
            CountOperation(context.Name);
            var reply = await ExecuteAsync(context);
            RecordLatency(context, state.Clock.GetElapsedTime(started));
            return reply;
        }
        catch (MongoCommandError error)
        {
            return error.ToReply();
        }
        catch (OperationCanceledException)
        {
            return new MongoCommandError(ErrorCodes.Interrupted, "operation was interrupted").ToReply();
        }
        catch (InvalidCastException cast)
        {
            // BsonValue.AsXxx on a field of the wrong type: mongod calls this a TypeMismatch.
            return new MongoCommandError(ErrorCodes.TypeMismatch, cast.Message).ToReply();
        }
        catch (KeyNotFoundException missing)
        {
            return new MongoCommandError(ErrorCodes.FailedToParse, missing.Message).ToReply();
        }
        catch (OverflowException overflow)
        {
            return new MongoCommandError(ErrorCodes.BadValue, overflow.Message).ToReply();
        }
        catch (Exception unexpected) when (unexpected is not OutOfMemoryException)
        {
            // A request this server does not model (or a bug in a handler) must not cost the client its
            // connection: mongod never drops one over a failed command, so the driver would not expect it.
            return new MongoCommandError(ErrorCodes.InternalError, $"{unexpected.GetType().Name}: {unexpected.Message}").ToReply();
        }
    }

    private Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        if (context.Command.Contains("txnNumber") || context.Command.Contains("startTransaction"))
        {
            // What a standalone mongod answers: sessions yes, transactions and retryable writes no.
            throw new MongoCommandError(ErrorCodes.IllegalOperation, "Transaction numbers are only allowed on a replica set member or mongos");
        }

        var handler = table.Find(context.Name)
            ?? throw new MongoCommandError(ErrorCodes.CommandNotFound, $"no such command: '{context.Name}'");
        if (handler.Unlocked is not null)
        {
            return handler.Unlocked(context);
        }

        lock (state.Store.SyncRoot)
        {
            return Task.FromResult(handler.Locked!(context));
        }
    }

    /// <summary>opcounters: find is a query, getMore a getmore; insert/update/delete count their own statements.</summary>
    private void CountOperation(string name)
    {
        switch (name)
        {
            case "find":
                state.Counters.AddQuery();
                break;
            case "getMore":
                state.Counters.AddGetMore();
                break;
            case "insert" or "update" or "delete":
                break;
            default:
                state.Counters.AddCommand();
                break;
        }
    }

    private void RecordLatency(CommandContext context, TimeSpan elapsed)
    {
        if (!context.Argument.IsString)
        {
            return;
        }

        InMemoryCollection? collection;
        lock (state.Store.SyncRoot)
        {
            collection = state.Store.FindCollection(context.Database, context.Argument.AsString);
        }

        var kind = context.Name switch
        {
            "find" or "count" or "distinct" or "aggregate" => OperationKind.Read,
            "insert" or "update" or "delete" => OperationKind.Write,
            _ => OperationKind.Command,
        };
        collection?.Latency.Record(kind, (long)(elapsed.Ticks / 10));
    }
}
