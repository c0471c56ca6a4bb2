using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;
using ExcelMedical.DbRunbook.Steps.SharedOptions;
using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;

/// <summary>Shared plumbing of the PostgreSQL maintenance steps: which databases, sessions, errors.</summary>
internal static class PostgresMaintenance
{
    /// <summary>
    /// The databases a step works on: every database that accepts connections (all), the listed
    /// ones, or by default the connection's own database.
    /// </summary>
    public static async Task<IReadOnlyList<string>> DatabasesAsync(PostgresTarget target, PostgresDatabasesOptions options, CancellationToken cancellationToken)
    {
        if (!options.AllDatabases)
        {
            return options.Databases.Count > 0 ? options.Databases : [target.Database];
        }

        await using var connection = await target.OpenAsync(cancellationToken);
        var names = new List<string>();
        await using var command = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>Runs one statement on its own (autocommit: VACUUM and REINDEX … CONCURRENTLY refuse a transaction block).</summary>
    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, int timeoutSeconds = 0)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = timeoutSeconds };
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        foreach (var (name, value) in parameters)
        {
            AddParameter(command, name, value);
        }

        var result = await command.ExecuteScalarAsync(cancellationToken);
        return result is null or DBNull ? default! : (T)result;
    }

    /// <summary>Adds a parameter; object ids (uint) go as PostgreSQL's oid type, which Npgsql does not infer.</summary>
    public static void AddParameter(NpgsqlCommand command, string name, object value)
    {
        if (value is uint oid)
        {
            command.Parameters.Add(new NpgsqlParameter(name, NpgsqlTypes.NpgsqlDbType.Oid) { Value = oid });
        }
        else
        {
            command.Parameters.AddWithValue(name, value);
        }
    }

    public static Task<long> DatabaseSizeAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        ScalarAsync<long>(connection, "SELECT pg_database_size(current_database())", cancellationToken);

    /// <summary>SET lock_timeout / statement_timeout for the session; zero means no limit.</summary>
    public static Task SetTimeoutAsync(NpgsqlConnection connection, string setting, TimeSpan value, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, string.Create(CultureInfo.InvariantCulture, $"SET {setting} = {Math.Max(0, (long)value.TotalMilliseconds)}"), cancellationToken);

    /// <summary>"schema"."table", quoted for SQL.</summary>
    public static string Quote(string schema, string name) => TableInventory.Quote(schema) + "." + TableInventory.Quote(name);

    /// <summary>A database error as a step failure that says what failed where and, when it can, what to do.</summary>
    public static StepFailedException Failure(string doing, PostgresTarget target, Exception ex) =>
        new($"{doing} on {target.Display} failed: {Explain(ex)}", ex);

    public static string Explain(Exception ex) => ex switch
    {
        PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable } pg => pg.MessageText + " (another session holds a conflicting lock; lock_timeout gave up waiting)",
        PostgresException { SqlState: PostgresErrorCodes.QueryCanceled } pg => pg.MessageText + " (statement_timeout reached)",
        PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } pg => pg.MessageText + " (the connection's user must own the objects or be a superuser)",
        PostgresException { SqlState: PostgresErrorCodes.DiskFull } pg => pg.MessageText + " (the server's disk is full)",
        PostgresException pg => pg.MessageText,
        _ => ex.Message,
    };

    public static bool IsDatabaseError(Exception ex) => ex is NpgsqlException or PostgresException or TimeoutException;

    public static bool IsLockTimeout(Exception ex) => ex is PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable };

    public static string Milliseconds(TimeSpan value) => value <= TimeSpan.Zero ? "none" : Engine.Model.Duration.Format(value);
}
