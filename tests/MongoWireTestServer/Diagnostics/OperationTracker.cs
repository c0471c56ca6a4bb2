using System.Collections.Concurrent;
using ExcelMedical.DbRunbook.MongoWireTestServer.Hosting;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Diagnostics;

/// <summary>The in-flight operations of all connections (and simulated ones), for currentOp and killOp.</summary>
internal sealed class OperationTracker(TimeProvider clock)
{
    private readonly ConcurrentDictionary<int, IInProgressOperation> active = new();
    private int lastOpId;

    public ActiveOperation Begin(ConnectionInfo connection, string database, BsonDocument command, CancellationToken serverStopping)
    {
        var operation = new ActiveOperation(this, NextOpId(), connection, database, command, clock, serverStopping);
        active[operation.OpId] = operation;
        return operation;
    }

    public SimulatedOperation Simulate(ConnectionInfo connection, string collectionNamespace, string op, BsonDocument command, TimeSpan runningFor)
    {
        var operation = new SimulatedOperation(this, NextOpId(), connection, collectionNamespace, op, command, runningFor, clock);
        active[operation.OpId] = operation;
        return operation;
    }

    /// <summary>Operations in start order.</summary>
    public IReadOnlyList<IInProgressOperation> Snapshot() => active.Values.OrderBy(o => o.OpId).ToList();

    /// <summary>Number of connections currently executing a request (serverStatus connections.active).</summary>
    public int ActiveConnections => active.Values.OfType<ActiveOperation>().Select(o => o.Connection.Id).Distinct().Count();

    public bool Kill(long opId)
    {
        if (opId is < int.MinValue or > int.MaxValue || !active.TryGetValue((int)opId, out var operation))
        {
            return false;
        }

        operation.Kill();
        return true;
    }

    internal void End(IInProgressOperation operation) => active.TryRemove(operation.OpId, out _);

    private int NextOpId() => Interlocked.Increment(ref lastOpId);
}
