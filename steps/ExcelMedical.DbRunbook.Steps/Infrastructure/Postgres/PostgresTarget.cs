using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.SharedOptions;
using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;

/// <summary>
/// One PostgreSQL server and database from a playbook connection (host, port, user, password,
/// database, and TLS: sslmode, sslrootcert, sslcert, sslkey in libpq's spelling), as an Npgsql
/// connection string for queries and as PG* environment variables for pg_dump and pg_restore, so
/// the password never appears in a process argument. Both ends verify the server the same way.
/// </summary>
internal sealed class PostgresTarget
{
    private const string ApplicationName = "runbook";

    private PostgresTarget(string host, int port, string user, string? password, string database, PostgresTls tls)
    {
        Host = host;
        Port = port;
        User = user;
        Password = password;
        Database = database;
        Tls = tls;
    }

    public string Host { get; }

    public int Port { get; }

    public string User { get; }

    public string? Password { get; }

    public string Database { get; }

    public PostgresTls Tls { get; }

    /// <summary>user@host:port/database, without the password, for logs and plans.</summary>
    public string Display => $"{User}@{Host}:{Port}/{Database}";

    public static PostgresTarget From(ConnectionSettings connection, string? databaseOverride = null)
    {
        var portText = connection.Get("port") ?? "5432";
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new StepFailedException($"connection '{connection.Name}': port '{portText}' is not a TCP port number");
        }

        var database = databaseOverride ?? connection.Get("database") ?? connection.Get("dbname")
            ?? throw new StepFailedException($"connection '{connection.Name}' has no database: set 'database' (e.g. \"{{{{ env.POSTGRES_DB }}}}\")");
        return new PostgresTarget(
            connection.Get("host") ?? "localhost",
            port,
            connection.Get("user") ?? connection.Get("username") ?? "postgres",
            connection.Get("password"),
            database,
            PostgresTls.From(connection));
    }

    /// <summary>The target of a step's <c>connection</c> option.</summary>
    public static PostgresTarget For(StepContext context, PostgresConnectionOptions options) => From(context.Connections.Get(options.Connection));

    public PostgresTarget WithDatabase(string database) => new(Host, Port, User, Password, database, Tls);

    public string ConnectionString(int commandTimeoutSeconds = 300)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Username = User,
            Password = Password,
            Database = Database,
            ApplicationName = ApplicationName,
            Timeout = 15,
            CommandTimeout = commandTimeoutSeconds,
            Pooling = false,
        };
        Tls.Apply(builder);
        return builder.ConnectionString;
    }

    /// <summary>libpq's variables for child processes; PGPASSWORD keeps the password out of argv.</summary>
    public IReadOnlyDictionary<string, string> ClientEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PGHOST"] = Host,
            ["PGPORT"] = Port.ToString(CultureInfo.InvariantCulture),
            ["PGUSER"] = User,
            ["PGDATABASE"] = Database,
            ["PGAPPNAME"] = ApplicationName,
            ["PGCONNECT_TIMEOUT"] = "15",
        };
        if (Password is not null)
        {
            environment["PGPASSWORD"] = Password;
        }

        foreach (var (name, value) in Tls.ClientEnvironment())
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>
    /// Data sources without type loading, one per connection string for the life of the process
    /// (unpooled: they hold no connection, only the settings).
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, NpgsqlDataSource> BuiltInTypesOnly = new(StringComparer.Ordinal);

    /// <summary>Opens a connection, turning Npgsql's failures into messages that say what to fix.</summary>
    /// <param name="loadTypes">
    /// False skips Npgsql's load of the server's type catalogue when the connection opens (tens of
    /// milliseconds on a database with many tables): enough for queries that read built-in types only.
    /// </param>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken, int commandTimeoutSeconds = 300, bool loadTypes = true)
    {
        var connection = loadTypes
            ? new NpgsqlConnection(ConnectionString(commandTimeoutSeconds))
            : BuiltInTypesOnly.GetOrAdd(ConnectionString(commandTimeoutSeconds), static text =>
            {
                var builder = new NpgsqlDataSourceBuilder(text);
                builder.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
                return builder.Build();
            }).CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch (Exception ex) when (ex is NpgsqlException or PostgresException or TimeoutException)
        {
            await connection.DisposeAsync();
            throw new StepFailedException($"cannot connect to PostgreSQL {Display}: {Explain(ex)}", ex);
        }
    }

    private static string Explain(Exception ex) => ex switch
    {
        PostgresException { SqlState: PostgresErrorCodes.InvalidPassword } => "password authentication failed (check the connection's user and password, e.g. POSTGRES_PASSWORD)",
        PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } pg => pg.MessageText + " (check the connection's database, e.g. POSTGRES_DB)",
        PostgresException pg => pg.MessageText,
        NpgsqlException { InnerException: System.Net.Sockets.SocketException socket } => socket.Message + " (is the server running and reachable? check host and port)",
        _ => ex.Message,
    };
}
