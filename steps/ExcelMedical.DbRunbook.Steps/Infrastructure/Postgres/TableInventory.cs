using System.Globalization;
using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;

/// <summary>Row count and an order-independent content checksum of one table at dump time.</summary>
internal sealed record TableFigures(string Table, long Rows, string? Checksum);

/// <summary>
/// The user tables of a database with their row counts (and optionally content checksums), read
/// inside the snapshot pg_dump uses, so the figures describe exactly what the dump holds. The
/// restore drill compares a restored copy against them.
/// </summary>
internal static class TableInventory
{
    private const string TablesQuery = """
        SELECT n.nspname, c.relname
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r'
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY 1, 2
        """;

    /// <summary>Tables as "schema.table", filtered the way the dump's schema/table options filter.</summary>
    public static async Task<IReadOnlyList<(string Schema, string Table)>> ListAsync(NpgsqlConnection connection, DumpSelection selection, CancellationToken cancellationToken)
    {
        var tables = new List<(string, string)>();
        await using var command = new NpgsqlCommand(TablesQuery, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var schema = reader.GetString(0);
            var table = reader.GetString(1);
            if (selection.Includes(schema, table))
            {
                tables.Add((schema, table));
            }
        }

        return tables;
    }

    /// <summary>
    /// Counts rows, and with <paramref name="withChecksums"/> sums a 60-bit slice of each row's md5:
    /// independent of row order (a restore may store rows differently) and needs no sort.
    /// </summary>
    public static async Task<TableFigures> MeasureAsync(NpgsqlConnection connection, string schema, string table, bool withChecksums, CancellationToken cancellationToken)
    {
        if (withChecksums)
        {
            await PinTextFormatsAsync(connection, cancellationToken);
        }

        var name = Quote(schema) + "." + Quote(table);
        var sql = withChecksums
            ? $"SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0)::text FROM {name} AS t"
            : $"SELECT count(*), NULL::text FROM {name}";
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var rows = reader.GetInt64(0);
        var checksum = reader.IsDBNull(1) ? null : rows.ToString(CultureInfo.InvariantCulture) + ":" + reader.GetString(1);
        return new TableFigures(schema + "." + table, rows, checksum);
    }

    /// <summary>
    /// A row's text form depends on session settings (a timestamptz prints in the session's time
    /// zone and date style): pin them, so a backup and a restore drill on another server or host
    /// compute the same checksum for the same rows.
    /// </summary>
    private static async Task PinTextFormatsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        const string Settings = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 1; SET bytea_output = 'hex'";
        await using var command = new NpgsqlCommand(Settings, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
