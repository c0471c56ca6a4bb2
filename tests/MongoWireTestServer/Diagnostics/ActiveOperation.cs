using ExcelMedical.DbRunbook.MongoWireTestServer.Hosting;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Diagnostics;

/// <summary>
/// A request being executed, as currentOp lists it. Disposing it ends the operation.
/// killOp cancels its token, which long-running commands (sleep) observe.
/// </summary>
internal sealed class ActiveOperation : IInProgressOperation, IDisposable
{
    private readonly OperationTracker owner;
    private readonly CancellationTokenSource cancellation;
    private readonly TimeProvider clock;
    private readonly long startTimestamp;

    public ActiveOperation(OperationTracker owner, int opId, ConnectionInfo connection, string database, BsonDocument command, TimeProvider clock, CancellationToken serverStopping)
    {
        this.owner = owner;
        this.clock = clock;
        OpId = opId;
        Connection = connection;
        Database = database;
        Command = command;
        cancellation = CancellationTokenSource.CreateLinkedTokenSource(serverStopping);
        startTimestamp = clock.GetTimestamp();
    }

    public int OpId { get; }

    public ConnectionInfo Connection { get; }

    public string Database { get; }

    public BsonDocument Command { get; }

    public bool KillPending { get; private set; }

    public CancellationToken Cancellation => cancellation.Token;

    public string CommandName => Command.ElementCount > 0 ? Command.GetElement(0).Name : string.Empty;

    /// <summary>The collection for collection commands (getMore names it in "collection"), otherwise "db.$cmd".</summary>
    public string Namespace =>
        CommandName == "getMore" && Command.GetValue("collection", BsonNull.Value) is BsonString cursorCollection
            ? $"{Database}.{cursorCollection.Value}"
            : Command.ElementCount > 0 && Command[0].IsString && CommandName is not ("hello" or "isMaster" or "ismaster")
                ? $"{Database}.{Command[0].AsString}"
                : $"{Database}.$cmd";

    public string Op => CommandName switch
    {
        "find" => "query",
        "getMore" => "getmore",
        "insert" => "insert",
        "update" => "update",
        "delete" => "remove",
        "killCursors" => "killcursors",
        _ => "command",
    };

    public TimeSpan Elapsed => clock.GetElapsedTime(startTimestamp);

    public void Kill()
    {
        KillPending = true;
        try
        {
            cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The operation finished between killOp finding it and cancelling it: nothing left to kill.
        }
    }

    public void Dispose()
    {
        owner.End(this);
        cancellation.Dispose();
    }
}
