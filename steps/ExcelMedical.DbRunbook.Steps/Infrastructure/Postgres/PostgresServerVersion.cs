using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;

/// <summary>The version of the PostgreSQL server a connection is open to, as the server reports it.</summary>
internal static class PostgresServerVersion
{
    /// <summary>server_version_num, e.g. 150014 for 15.14 (90624 for 9.6.24).</summary>
    public static async Task<int> NumberAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT current_setting('server_version_num')::int", connection) { CommandTimeout = 0 };
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The major version of a server_version_num: 15 for 150014 (9 for 9.6's 90624).</summary>
    public static int Major(int number) => number / 10000;

    public static async Task<int> MajorAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        Major(await NumberAsync(connection, cancellationToken));
}
