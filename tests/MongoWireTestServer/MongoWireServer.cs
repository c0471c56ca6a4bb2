using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ExcelMedical.DbRunbook.MongoWireTestServer.Commands;
using ExcelMedical.DbRunbook.MongoWireTestServer.Diagnostics;
using ExcelMedical.DbRunbook.MongoWireTestServer.Hosting;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer;

/// <summary>
/// A loopback server that speaks the MongoDB wire protocol well enough for the official
/// driver, backed by in-memory databases. It is a test double for machines where no
/// mongod can be installed, not a database. The constructor binds and starts listening;
/// dispose to stop.
/// </summary>
public sealed class MongoWireServer : IAsyncDisposable, IDisposable
{
    private readonly MongoWireServerOptions options;
    private readonly TcpListener listener;
    private readonly ServerState state;
    private readonly CommandDispatcher dispatcher;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<int, (ClientConnection Connection, Task Run)> connections = new();
    private readonly Task acceptLoop;
    private int lastConnectionId;
    private int disposed;

    /// <summary>Binds to <see cref="MongoWireServerOptions.Address"/>:<see cref="MongoWireServerOptions.Port"/> and starts accepting connections.</summary>
    public MongoWireServer(MongoWireServerOptions? options = null)
    {
        this.options = options ?? new MongoWireServerOptions();
        listener = new TcpListener(this.options.Address, this.options.Port);
        listener.Start();
        EndPoint = (IPEndPoint)listener.LocalEndpoint;
        state = new ServerState(this.options, $"{Environment.MachineName}:{EndPoint.Port}");
        dispatcher = CommandDispatcher.CreateDefault(state);
        acceptLoop = AcceptLoopAsync(stopping.Token);
    }

    /// <summary>The address and port actually bound.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The port actually bound (useful when <see cref="MongoWireServerOptions.Port"/> was 0).</summary>
    public int Port => EndPoint.Port;

    /// <summary>A driver connection string for this server, e.g. "mongodb://127.0.0.1:40123/?directConnection=true".</summary>
    public string ConnectionString => $"mongodb://{EndPoint}/?directConnection=true";

    /// <summary>Live opcounters/connection counters, the same numbers serverStatus reports.</summary>
    public MongoWireServerCounters Counters => state.Counters;

    /// <summary>
    /// Test hook: lists an operation in currentOp (and $currentOp) as if a client had been running
    /// it for <paramref name="runningFor"/> already, so "find the slow operations" and "kill them"
    /// logic can be tested without keeping a real slow query alive. Dispose the result to end it;
    /// a killOp naming its opid ends it too and sets <see cref="SimulatedOperation.WasKilled"/>.
    /// </summary>
    /// <param name="collectionNamespace">"database.collection", reported as the operation's ns.</param>
    /// <param name="op">currentOp's op: query, getmore, insert, update, remove, killcursors, command or none.</param>
    /// <param name="runningFor">How long the operation has already been running (secs_running grows from there).</param>
    /// <param name="command">The command currentOp shows; by default what a driver sends for <paramref name="op"/>.</param>
    public SimulatedOperation SimulateOperation(string collectionNamespace, string op, TimeSpan runningFor, BsonDocument? command = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(collectionNamespace);
        ArgumentException.ThrowIfNullOrEmpty(op);
        ArgumentOutOfRangeException.ThrowIfLessThan(runningFor, TimeSpan.Zero);
        var separator = collectionNamespace.IndexOf('.', StringComparison.Ordinal);
        if (separator <= 0 || separator == collectionNamespace.Length - 1)
        {
            throw new ArgumentException($"expected \"database.collection\", got \"{collectionNamespace}\"", nameof(collectionNamespace));
        }

        if (!SimulatedCommands.OpKinds.Contains(op))
        {
            throw new ArgumentException($"unknown op \"{op}\"; currentOp uses {string.Join(", ", SimulatedCommands.OpKinds)}", nameof(op));
        }

        var database = collectionNamespace[..separator];
        var collection = collectionNamespace[(separator + 1)..];
        var connection = SimulatedClient(Interlocked.Increment(ref lastConnectionId));
        return state.Operations.Simulate(connection, collectionNamespace, op, command ?? SimulatedCommands.For(op, database, collection), runningFor);
    }

    /// <summary>Stops listening, closes every connection and waits (up to the shutdown timeout) for them to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await stopping.CancelAsync();
        listener.Stop();
        foreach (var (connection, _) in connections.Values)
        {
            connection.Dispose();
        }

        var running = connections.Values.Select(c => c.Run).Append(acceptLoop);
        try
        {
            await Task.WhenAll(running).WaitAsync(options.ShutdownTimeout);
        }
        catch (TimeoutException)
        {
            // A connection stuck in a handler: its socket is closed, so it ends on its own.
        }

        state.Cursors.CloseAll();
        stopping.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// A made-up client for a simulated operation: an address from TEST-NET-3 (RFC 5737), so it is
    /// well-formed but can never be mistaken for a real peer.
    /// </summary>
    private static ConnectionInfo SimulatedClient(int id) => new(id, $"203.0.113.7:{50000 + (id % 10000)}")
    {
        ClientMetadata = new BsonDocument("application", new BsonDocument("name", "MongoWireServer.SimulateOperation")),
    };

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(cancellationToken);
            }
            catch (Exception stopped) when (stopped is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            socket.NoDelay = true;
            var id = Interlocked.Increment(ref lastConnectionId);
            var info = new ConnectionInfo(id, socket.RemoteEndPoint?.ToString() ?? "unknown");
            var connection = new ClientConnection(socket, info, state, dispatcher);
            var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            connections[id] = (connection, RunConnectionAsync(connection, registered.Task, cancellationToken));
            registered.SetResult();
        }
    }

    private async Task RunConnectionAsync(ClientConnection connection, Task registered, CancellationToken cancellationToken)
    {
        // Runs off the accept loop, and only once the connection is in the table it removes itself from.
        await registered;
        try
        {
            await connection.RunAsync(cancellationToken);
        }
        finally
        {
            connections.TryRemove(connection.Info.Id, out _);
            connection.Dispose();
        }
    }
}
