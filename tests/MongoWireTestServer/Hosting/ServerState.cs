using ExcelMedical.DbRunbook.MongoWireTestServer.Diagnostics;
using ExcelMedical.DbRunbook.MongoWireTestServer.Storage;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Hosting;

/// <summary>Everything commands share: storage, cursors, in-flight operations, counters and identity.</summary>
internal sealed class ServerState
{
    public ServerState(MongoWireServerOptions options, string host)
    {
        Options = options;
        Clock = options.TimeProvider;
        Host = host;
        StartedAt = Clock.GetUtcNow();
        StartTimestamp = Clock.GetTimestamp();
        Operations = new OperationTracker(Clock);
        Store.SeedSystemDatabases(host, StartedAt);
    }

    public MongoWireServerOptions Options { get; }

    public TimeProvider Clock { get; }

    /// <summary>"hostname:port", as serverStatus and currentOp report it.</summary>
    public string Host { get; }

    public DateTimeOffset StartedAt { get; }

    public long StartTimestamp { get; }

    public InMemoryStore Store { get; } = new();

    public CursorRegistry Cursors { get; } = new();

    public OperationTracker Operations { get; }

    public MongoWireServerCounters Counters { get; } = new();

    public TimeSpan Uptime => Clock.GetElapsedTime(StartTimestamp);
}
