namespace ExcelMedical.DbRunbook.MongoWireTestServer;

/// <summary>
/// Live counters of a <see cref="MongoWireServer"/>: the numbers serverStatus reports
/// (opcounters, connections, network), readable directly by tests.
/// </summary>
public sealed class MongoWireServerCounters
{
    private long insert;
    private long query;
    private long update;
    private long delete;
    private long getMore;
    private long command;
    private long currentConnections;
    private long totalConnections;
    private long requests;
    private long bytesIn;
    private long bytesOut;

    /// <summary>Documents inserted.</summary>
    public long Insert => Interlocked.Read(ref insert);

    /// <summary>find commands.</summary>
    public long Query => Interlocked.Read(ref query);

    /// <summary>Update statements.</summary>
    public long Update => Interlocked.Read(ref update);

    /// <summary>Delete statements.</summary>
    public long Delete => Interlocked.Read(ref delete);

    /// <summary>getMore commands (one per batch after the first).</summary>
    public long GetMore => Interlocked.Read(ref getMore);

    /// <summary>All other commands (hello, ping, aggregate, count, ...).</summary>
    public long Command => Interlocked.Read(ref command);

    /// <summary>Open client connections.</summary>
    public long CurrentConnections => Interlocked.Read(ref currentConnections);

    /// <summary>Connections accepted since start.</summary>
    public long TotalConnections => Interlocked.Read(ref totalConnections);

    /// <summary>Wire messages received.</summary>
    public long Requests => Interlocked.Read(ref requests);

    /// <summary>Bytes received.</summary>
    public long BytesIn => Interlocked.Read(ref bytesIn);

    /// <summary>Bytes sent.</summary>
    public long BytesOut => Interlocked.Read(ref bytesOut);

    internal void AddInsert(long count) => Interlocked.Add(ref insert, count);

    internal void AddQuery() => Interlocked.Increment(ref query);

    internal void AddUpdate(long count) => Interlocked.Add(ref update, count);

    internal void AddDelete(long count) => Interlocked.Add(ref delete, count);

    internal void AddGetMore() => Interlocked.Increment(ref getMore);

    internal void AddCommand() => Interlocked.Increment(ref command);

    internal void ConnectionOpened()
    {
        Interlocked.Increment(ref currentConnections);
        Interlocked.Increment(ref totalConnections);
    }

    internal void ConnectionClosed() => Interlocked.Decrement(ref currentConnections);

    internal void MessageReceived(long bytes)
    {
        Interlocked.Increment(ref requests);
        Interlocked.Add(ref bytesIn, bytes);
    }

    internal void MessageSent(long bytes) => Interlocked.Add(ref bytesOut, bytes);
}
