using ExcelMedical.DbRunbook.Testing.Postgres;
using Npgsql;

namespace ExcelMedical.DbRunbook.Tests.Support;

/// <summary>A database with the Excel Medical sample data, one per test class, on the shared PostgreSQL fixture.</summary>
public sealed class SampleDatabase : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public string Name { get; private set; } = string.Empty;

    public SampleLoad Load { get; private set; } = null!;

    public string ConnectionString => Server.ConnectionString(Name);

    public async Task InitializeAsync()
    {
        Server = await PostgresServer.Shared;
        Name = await Server.CreateDatabaseAsync("excel_medical");
        Load = await SampleData.LoadAsync(ConnectionString, scale: 1);
    }

    public async Task DisposeAsync() => await Server.DropDatabaseAsync(Name);

    /// <summary>Environment variables named as in the guide's .env, pointing at this database.</summary>
    public Dictionary<string, string> GuideEnvironment() => new(StringComparer.Ordinal)
    {
        ["POSTGRES_HOST"] = Server.Host,
        ["POSTGRES_PORT"] = Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["POSTGRES_USER"] = Server.User,
        ["POSTGRES_PASSWORD"] = Server.Password,
        ["POSTGRES_DB"] = Name,
    };

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
