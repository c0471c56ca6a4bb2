using ExcelMedical.DbRunbook.MongoWireTestServer.Diagnostics;
using ExcelMedical.DbRunbook.MongoWireTestServer.Hosting;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer;

/// <summary>
/// An operation that only exists in currentOp: tests use it to stand for a slow query or a
/// stuck command without having to keep one running. It stays listed until disposed, or
/// until killOp names it (see <see cref="MongoWireServer.SimulateOperation"/>): nothing executes that could notice the kill, so the simulation
/// ends at once, the way a real operation ends shortly after being killed.
/// </summary>
public sealed class SimulatedOperation : IInProgressOperation, IDisposable
{
    private readonly OperationTracker owner;
    private readonly TimeProvider clock;
    private readonly long startTimestamp;
    private readonly TimeSpan runningBefore;
    private readonly ConnectionInfo connection;
    private int killed;

    internal SimulatedOperation(
        OperationTracker owner, int opId, ConnectionInfo connection, string collectionNamespace, string op, BsonDocument command, TimeSpan runningFor, TimeProvider clock)
    {
        this.owner = owner;
        this.clock = clock;
        this.connection = connection;
        OpId = opId;
        Namespace = collectionNamespace;
        Op = op;
        Command = command;
        runningBefore = runningFor;
        startTimestamp = clock.GetTimestamp();
    }

    /// <summary>The opid currentOp reports and killOp takes.</summary>
    public int OpId { get; }

    /// <summary>"database.collection".</summary>
    public string Namespace { get; }

    /// <summary>currentOp's "op" (query, command, remove, ...).</summary>
    public string Op { get; }

    /// <summary>The command document currentOp shows.</summary>
    public BsonDocument Command { get; }

    /// <summary>The connection the operation claims to run on (its currentOp "desc" is "conn" + this).</summary>
    public int ConnectionId => connection.Id;

    /// <summary>How long the operation has been running: the simulated head start plus the time since it was created.</summary>
    public TimeSpan Elapsed => runningBefore + clock.GetElapsedTime(startTimestamp);

    /// <summary>Whether a killOp named this operation.</summary>
    public bool WasKilled => Volatile.Read(ref killed) != 0;

    ConnectionInfo IInProgressOperation.Connection => connection;

    bool IInProgressOperation.KillPending => WasKilled;

    void IInProgressOperation.Kill()
    {
        Volatile.Write(ref killed, 1);
        owner.End(this);
    }

    /// <summary>Ends the operation: it disappears from currentOp.</summary>
    public void Dispose() => owner.End(this);
}
