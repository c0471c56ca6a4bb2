using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using ExcelMedical.DbRunbook.Testing.Support;
using Npgsql;

namespace ExcelMedical.DbRunbook.Testing.Postgres;

/// <summary>
/// A real PostgreSQL server for tests: a throwaway local cluster (initdb into a temp folder, free
/// loopback port, password authentication, superuser test role), or the existing server named by
/// <see cref="ExternalServerVariable"/>. Tests isolate themselves with <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>An Npgsql connection string to an existing superuser; when set no cluster is started.</summary>
    public const string ExternalServerVariable = "RUNBOOK_TEST_PG";

    private const string TestRole = "runbook_test";
    private const string AdminDatabase = "postgres";

    private static readonly ProcessWideShared<PostgresServer> SharedInstance = new(() => StartAsync());

    private readonly NpgsqlConnectionStringBuilder _baseConnection;
    private readonly LocalCluster? _cluster;
    private readonly PostgresBinaries? _binaries;
    private readonly ConcurrentDictionary<string, byte> _createdDatabases = new(StringComparer.Ordinal);
    private int _disposed;

    private PostgresServer(NpgsqlConnectionStringBuilder baseConnection, LocalCluster? cluster, PostgresBinaries? binaries)
    {
        _baseConnection = baseConnection;
        _cluster = cluster;
        _binaries = binaries;
    }

    /// <summary>The server every test class shares: started on first use, stopped when the test process exits.</summary>
    public static Task<PostgresServer> Shared => SharedInstance.Value;

    /// <summary>True when this is the server named by <see cref="ExternalServerVariable"/>, not a local cluster.</summary>
    public bool IsExternal => _cluster is null;

    public string Host => _baseConnection.Host!;

    public int Port => _baseConnection.Port;

    public string User => _baseConnection.Username!;

    public string Password => _baseConnection.Password ?? "";

    /// <summary>
    /// The client and server programs (pg_dump, pg_restore, psql, ...): the cluster's own, or for an
    /// external server the highest local version (which throws a setup hint when none is installed).
    /// </summary>
    public PostgresBinaries Binaries => _binaries ?? PostgresBinaries.Default;

    public string BinDirectory => Binaries.BinDirectory;

    /// <summary>The postmaster's process id; null for an external server or once stopped.</summary>
    public int? ServerProcessId => _cluster?.ServerProcessId;

    /// <summary>The cluster's PGDATA folder; an external server has none on this machine.</summary>
    public string DataDirectory => _cluster?.DataDirectory
        ?? throw new InvalidOperationException($"the server comes from {ExternalServerVariable}: it has no local data directory");

    /// <summary>The server's log file; an external server has none on this machine.</summary>
    public string LogFile => _cluster?.LogFile
        ?? throw new InvalidOperationException($"the server comes from {ExternalServerVariable}: it has no local log file");

    /// <summary>
    /// A server of your own (dispose it): the external server when <see cref="ExternalServerVariable"/>
    /// is set, else a new local cluster.
    /// </summary>
    public static Task<PostgresServer> StartAsync()
    {
        var external = Environment.GetEnvironmentVariable(ExternalServerVariable);
        return string.IsNullOrWhiteSpace(external) ? StartLocalClusterAsync() : ConnectExternalAsync(external);
    }

    /// <summary>Always a new local cluster, for tests that stop, restart or inspect the server itself.</summary>
    public static async Task<PostgresServer> StartLocalClusterAsync()
    {
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var binaries = PostgresBinaries.Default;
        var cluster = await LocalCluster.InitAsync(binaries, TestRole, password);
        try
        {
            await cluster.StartAsync();
            var server = new PostgresServer(
                new NpgsqlConnectionStringBuilder
                {
                    Host = "127.0.0.1",
                    Port = cluster.Port,
                    Username = TestRole,
                    Password = password,
                    Database = AdminDatabase,
                },
                cluster,
                binaries);
            await server.WaitUntilAcceptingAsync();
            return server;
        }
        catch
        {
            await cluster.StopAsync();
            cluster.Delete();
            throw;
        }
    }

    /// <summary>
    /// Turns TLS on (ssl = on, reloaded) with the given server certificate and key, for tests of
    /// clients that verify it. Only on a local cluster of the test's own (<see cref="StartLocalClusterAsync"/>).
    /// </summary>
    public async Task EnableTlsAsync(string certificatePem, string privateKeyPem)
    {
        var cluster = _cluster
            ?? throw new InvalidOperationException($"the server comes from {ExternalServerVariable}: TLS is configured only on a local cluster");
        await cluster.InstallTlsAsync(certificatePem, privateKeyPem);
        await ExecuteAsync("ALTER SYSTEM SET ssl = on");
        await ExecuteAsync("SELECT pg_reload_conf()");
        // The reload reaches the postmaster asynchronously; new sessions see it once it has.
        for (var attempt = 1; await ScalarAsync("SHOW ssl") != "on"; attempt++)
        {
            if (attempt == 100)
            {
                throw new InvalidOperationException($"PostgreSQL did not turn ssl on; see {cluster.LogFile}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>An Npgsql connection string for <paramref name="database"/> as the test superuser.</summary>
    public string ConnectionString(string database = AdminDatabase) =>
        new NpgsqlConnectionStringBuilder(_baseConnection.ConnectionString) { Database = database }.ConnectionString;

    /// <summary>libpq variables for child processes (pg_dump, pg_restore, psql) to reach <paramref name="database"/>.</summary>
    public IReadOnlyDictionary<string, string> ClientEnvironment(string database = AdminDatabase) =>
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PGHOST"] = Host,
            ["PGPORT"] = Port.ToString(CultureInfo.InvariantCulture),
            ["PGUSER"] = User,
            ["PGPASSWORD"] = Password,
            ["PGDATABASE"] = database,
        };

    /// <summary>Creates an empty database named "prefix_xxxxxxxxxxxx" and returns its name.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = DatabaseNames.Unique(prefix);
        // template0: a session left open on template1 by some test cannot block the copy.
        await ExecuteAsync($"CREATE DATABASE {DatabaseNames.Quote(name)} TEMPLATE template0");
        _createdDatabases.TryAdd(name, 0);
        return name;
    }

    /// <summary>Drops a database even while sessions are connected to it.</summary>
    public async Task DropDatabaseAsync(string name)
    {
        await ExecuteAsync($"DROP DATABASE IF EXISTS {DatabaseNames.Quote(name)} WITH (FORCE)");
        _createdDatabases.TryRemove(name, out _);
        // Pooled connections to the dropped database are dead; do not hand them out again.
        using var pooled = new NpgsqlConnection(ConnectionString(name));
        NpgsqlConnection.ClearPool(pooled);
    }

    /// <summary>A local cluster is stopped and its folder deleted; on an external server the databases created here are dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString()));
        if (_cluster is null)
        {
            foreach (var database in _createdDatabases.Keys)
            {
                await DropDatabaseAsync(database);
            }

            return;
        }

        foreach (var database in _createdDatabases.Keys)
        {
            using var pooled = new NpgsqlConnection(ConnectionString(database));
            NpgsqlConnection.ClearPool(pooled);
        }

        await _cluster.StopAsync();
        _cluster.Delete();
    }

    private static async Task<PostgresServer> ConnectExternalAsync(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Host ??= "localhost";
        builder.Username ??= Environment.GetEnvironmentVariable("PGUSER") ?? "postgres";
        builder.Database = AdminDatabase;
        var server = new PostgresServer(builder, cluster: null, binaries: null);
        await using var connection = new NpgsqlConnection(server.ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT rolsuper FROM pg_roles WHERE rolname = current_user", connection);
        if (await command.ExecuteScalarAsync() is not true)
        {
            throw new InvalidOperationException($"{ExternalServerVariable} must connect as a superuser; '{builder.Username}' is not one");
        }

        return server;
    }

    private async Task WaitUntilAcceptingAsync()
    {
        // pg_ctl -w already waited for the postmaster; this also proves the password works over TCP.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ExecuteAsync("SELECT 1");
                return;
            }
            catch (NpgsqlException) when (attempt < 50)
            {
                await Task.Delay(200);
            }
        }
    }

    private async Task<string?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (await command.ExecuteScalarAsync())?.ToString();
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
