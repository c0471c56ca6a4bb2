using System.Globalization;
using ExcelMedical.DbRunbook.Testing.Postgres;
using Npgsql;

namespace ExcelMedical.DbRunbook.Tests.Maintenance;

/// <summary>
/// A database of the test's own on the shared PostgreSQL fixture, dropped afterwards: retention
/// deletes rows and bloat repair rewrites tables, so no two tests may share one.
/// </summary>
public sealed class FreshDatabase : IAsyncDisposable
{
    private FreshDatabase(PostgresServer server, string name)
    {
        Server = server;
        Name = name;
    }

    public PostgresServer Server { get; }

    public string Name { get; }

    public string ConnectionString => Server.ConnectionString(Name);

    /// <summary>An empty database.</summary>
    public static async Task<FreshDatabase> CreateAsync(string prefix = "maintenance")
    {
        var server = await PostgresServer.Shared;
        return new FreshDatabase(server, await server.CreateDatabaseAsync(prefix));
    }

    /// <summary>A database with the platform's sample data relative to <paramref name="reference"/>.</summary>
    public static async Task<FreshDatabase> WithSampleDataAsync(DateTimeOffset reference, string prefix = "retention")
    {
        var database = await CreateAsync(prefix);
        await SampleData.LoadAsync(database.ConnectionString, scale: 1, reference);
        return database;
    }

    /// <summary>Environment variables named as in the guide's .env, pointing at this database.</summary>
    public Dictionary<string, string> GuideEnvironment() => new(StringComparer.Ordinal)
    {
        ["POSTGRES_HOST"] = Server.Host,
        ["POSTGRES_PORT"] = Server.Port.ToString(CultureInfo.InvariantCulture),
        ["POSTGRES_USER"] = Server.User,
        ["POSTGRES_PASSWORD"] = Server.Password,
        ["POSTGRES_DB"] = Name,
    };

    /// <summary>The playbook connections block for this database, read from the guide's variables.</summary>
    public const string Connections = """
        connections:
          postgres:
            host: "{{ env.POSTGRES_HOST }}"
            port: "{{ env.POSTGRES_PORT }}"
            user: "{{ env.POSTGRES_USER }}"
            password: "{{ env.POSTGRES_PASSWORD }}"
            database: "{{ env.POSTGRES_DB }}"
        """;

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        await command.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Rows of a table before and at-or-after a cutoff, counted by date.</summary>
    public async Task<(long Older, long Newer)> CountByDateAsync(string table, string column, DateTimeOffset cutoff)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FILTER (WHERE {column} < @cutoff), count(*) FILTER (WHERE {column} >= @cutoff) FROM {table}", connection);
        command.Parameters.AddWithValue("cutoff", cutoff.UtcDateTime);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>Row counts of every sample table.</summary>
    public async Task<Dictionary<string, long>> RowCountsAsync()
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in SampleData.Tables)
        {
            counts[table] = await ScalarAsync<long>($"SELECT count(*) FROM {table}");
        }

        return counts;
    }

    public async ValueTask DisposeAsync() => await Server.DropDatabaseAsync(Name);
}
