using ExcelMedical.DbRunbook.MongoWireTestServer;
using ExcelMedical.DbRunbook.Testing.Support;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.Testing.Mongo;

/// <summary>
/// The MongoDB server tests talk to. When <see cref="UriVariable"/> is set, that real server
/// (a developer's mongod, say); otherwise an in-process <see cref="MongoWireServer"/> on a
/// loopback port, which is what CI uses because no MongoDB server package is installable there.
/// Tests isolate themselves with <see cref="UniqueDatabaseName"/> rather than by server.
/// </summary>
public sealed class MongoEndpoint : IAsyncDisposable
{
    /// <summary>Environment variable naming a real server, e.g. "mongodb://127.0.0.1:27017/?directConnection=true".</summary>
    public const string UriVariable = "RUNBOOK_TEST_MONGO_URI";

    /// <summary>Database names must stay under 64 bytes: prefix + "_" + run id + "_" + counter fits with room to spare.</summary>
    private const int MaxPrefixLength = 40;

    /// <summary>Shorter than the driver's 30 s default: an unreachable server should fail a test quickly.</summary>
    private static readonly TimeSpan ServerSelectionTimeout = TimeSpan.FromSeconds(10);

    private static readonly ProcessWideShared<MongoEndpoint> SharedEndpoint = new(() => StartAsync());

    private readonly Lazy<MongoClient> fixtureClient;

    /// <summary>Random per endpoint, so names from parallel test processes on one real server never collide.</summary>
    private readonly string runId = Guid.NewGuid().ToString("N")[..8];
    private int databaseCount;

    private MongoEndpoint(string connectionString, MongoWireServer? testServer)
    {
        ConnectionString = connectionString;
        TestServer = testServer;
        fixtureClient = new Lazy<MongoClient>(CreateClient, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>One endpoint for the whole test process, started on first use and stopped when the process exits.</summary>
    public static Task<MongoEndpoint> Shared => SharedEndpoint.Value;

    /// <summary>
    /// The driver connection string: for the test server "mongodb://127.0.0.1:&lt;port&gt;/?directConnection=true",
    /// otherwise the value of <see cref="UriVariable"/> as given.
    /// </summary>
    public string ConnectionString { get; }

    /// <summary>True when talking to the in-process wire server rather than a real mongod.</summary>
    public bool IsTestServer => TestServer is not null;

    /// <summary>The in-process server (for its test hooks and counters); null when a real server is used.</summary>
    public MongoWireServer? TestServer { get; }

    /// <summary>
    /// A new endpoint (most tests want <see cref="Shared"/> instead). Pings the server before
    /// returning, so a wrong <see cref="UriVariable"/> fails here with a clear message.
    /// </summary>
    public static async Task<MongoEndpoint> StartAsync(CancellationToken cancellationToken = default)
    {
        var uri = Environment.GetEnvironmentVariable(UriVariable);
        var endpoint = string.IsNullOrWhiteSpace(uri) ? StartTestServer() : new MongoEndpoint(uri.Trim(), null);
        try
        {
            await endpoint.PingAsync(cancellationToken);
            return endpoint;
        }
        catch (Exception unreachable) when (unreachable is TimeoutException or MongoException)
        {
            await endpoint.DisposeAsync();
            var source = endpoint.IsTestServer ? "the in-process MongoWireServer" : $"{UriVariable}={uri}";
            throw new InvalidOperationException($"MongoDB at {source} did not answer a ping: {unreachable.Message}", unreachable);
        }
    }

    /// <summary>A new client for this endpoint; the caller disposes it.</summary>
    public MongoClient CreateClient()
    {
        var settings = MongoClientSettings.FromConnectionString(ConnectionString);
        settings.ServerSelectionTimeout = ServerSelectionTimeout;
        return new MongoClient(settings);
    }

    /// <summary>
    /// A database name no other test (in this or a parallel test process) uses: the prefix, reduced
    /// to characters valid in database names, then this endpoint's run id and a counter, e.g.
    /// "purge_3f9c01ab_7". Leftovers on a real server can be traced to their run by the id.
    /// </summary>
    public string UniqueDatabaseName(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var safe = new string([.. prefix.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_')]);
        if (safe.Length > MaxPrefixLength)
        {
            safe = safe[..MaxPrefixLength];
        }

        return $"{safe}_{runId}_{Interlocked.Increment(ref databaseCount)}";
    }

    /// <summary>Drops a database; dropping one that does not exist is not an error.</summary>
    public Task DropDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return fixtureClient.Value.DropDatabaseAsync(name, cancellationToken);
    }

    /// <summary>
    /// Lists an operation in currentOp as if it had been running for <paramref name="runningFor"/>
    /// (see <see cref="MongoWireServer.SimulateOperation"/>). Only the test server can; check
    /// <see cref="IsTestServer"/> first in tests that may also run against a real server.
    /// </summary>
    public SimulatedOperation SimulateOperation(string collectionNamespace, string op, TimeSpan runningFor, BsonDocument? command = null) =>
        (TestServer ?? throw new InvalidOperationException(
            $"operations can only be simulated on the in-process test server, not on {UriVariable}; skip the test when IsTestServer is false"))
        .SimulateOperation(collectionNamespace, op, runningFor, command);

    public async ValueTask DisposeAsync()
    {
        if (fixtureClient.IsValueCreated)
        {
            fixtureClient.Value.Dispose();
        }

        if (TestServer is not null)
        {
            await TestServer.DisposeAsync();
        }
    }

    /// <summary>
    /// Port 0 lets the OS choose a free loopback port at bind time, which unlike probing for a
    /// free port first (FreePort) cannot race with another process taking it in between.
    /// </summary>
    private static MongoEndpoint StartTestServer()
    {
        var server = new MongoWireServer(new MongoWireServerOptions { Port = 0 });
        return new MongoEndpoint(server.ConnectionString, server);
    }

    private async Task PingAsync(CancellationToken cancellationToken) =>
        await fixtureClient.Value.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken);
}
