using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;
using Npgsql;

namespace ExcelMedical.DbRunbook.Tests.Support;

/// <summary>Every user table of a database with its row count and content checksum, to compare two databases.</summary>
public static class TableSnapshot
{
    public static async Task<IReadOnlyDictionary<string, string>> TakeAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (schema, table) in await TableInventory.ListAsync(connection, DumpSelection.Everything, CancellationToken.None))
        {
            var figures = await TableInventory.MeasureAsync(connection, schema, table, withChecksums: true, CancellationToken.None);
            result[figures.Table] = figures.Checksum!;
        }

        return result;
    }
}
