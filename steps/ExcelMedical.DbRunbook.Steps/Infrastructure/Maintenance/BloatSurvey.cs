using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;
using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;

/// <summary>
/// How much of one table is wasted space. <see cref="Method"/> says how it was measured:
/// pgstattuple_approx (exact dead tuples, free space from the free-space map) where the
/// extension is installed, otherwise an estimate from the catalog; <see cref="Unknown"/> says why
/// a table could not be judged.
/// </summary>
internal sealed record TableBloat(
    uint Oid,
    string Schema,
    string Table,
    long TableBytes,
    long TotalBytes,
    long WastedBytes,
    double Percent,
    string Method,
    bool HasKey,
    string? Unknown)
{
    public string Display => Schema + "." + Table;

    public string Sql => PostgresMaintenance.Quote(Schema, Table);

    public string Describe() => Unknown is not null
        ? $"{Display} ({ByteSize.Format(TableBytes)}): bloat unknown, {Unknown}"
        : $"{Display}: {ByteSize.Format(TableBytes)} ({ByteSize.Format(TotalBytes)} with indexes and TOAST), {Percent:0.#}% wasted ({ByteSize.Format(WastedBytes)}, {Method})";
}

/// <summary>
/// Measures table bloat without blocking anyone. The estimate reads only the catalog (no table
/// lock, so a table locked by someone else cannot stall the survey): the rows' expected space
/// from reltuples and the columns' average widths in pg_stats (tuple header, line pointer and
/// fillfactor included, alignment padding not, so small tables look worse than they are), against
/// relpages. Both come from the last VACUUM or ANALYZE: run postgres.vacuum first. Where the
/// pgstattuple extension is installed, candidates are measured with pgstattuple_approx instead
/// (a read lock, bounded by lock_timeout).
/// </summary>
internal static class BloatSurvey
{
    private const int PageHeaderBytes = 24;
    private const int LinePointerBytes = 4;
    private const int TupleHeaderBytes = 23;

    private const string CatalogSql = """
        SELECT c.oid, n.nspname, c.relname,
               c.relpages::bigint * current_setting('block_size')::bigint,
               (c.relpages
                + coalesce((SELECT t.relpages FROM pg_class t WHERE t.oid = c.reltoastrelid), 0)
                + coalesce((SELECT sum(ic.relpages) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = c.oid), 0)
               )::bigint * current_setting('block_size')::bigint,
               c.reltuples::float8,
               (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)::int,
               coalesce((SELECT substring(o FROM '^fillfactor=([0-9]+)$')::int FROM unnest(c.reloptions) o WHERE o LIKE 'fillfactor=%' LIMIT 1), 100),
               (SELECT sum((1 - s.null_frac) * s.avg_width) FROM pg_stats s WHERE s.schemaname = n.nspname AND s.tablename = c.relname AND NOT s.inherited)::float8,
               (SELECT count(*) FROM pg_stats s WHERE s.schemaname = n.nspname AND s.tablename = c.relname AND NOT s.inherited)::int,
               EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisvalid AND (i.indisprimary
                   OR (i.indisunique AND i.indimmediate AND i.indpred IS NULL AND i.indexprs IS NULL
                       AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum = ANY (i.indkey) AND NOT a.attnotnull)))),
               current_setting('block_size')::int
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r'
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
        ORDER BY 2, 3
        """;

    /// <summary>Every user table of the connection's database, most wasted space first.</summary>
    public static async Task<IReadOnlyList<TableBloat>> MeasureAsync(NpgsqlConnection connection, double minWastedBytes, CancellationToken cancellationToken)
    {
        var estimates = await EstimateAsync(connection, cancellationToken);
        var stattuple = await PostgresMaintenance.ScalarAsync<string?>(connection, "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pgstattuple'", cancellationToken);
        if (stattuple is null)
        {
            return [.. estimates.OrderByDescending(t => t.WastedBytes).ThenBy(t => t.Display, StringComparer.Ordinal)];
        }

        var measured = new List<TableBloat>();
        foreach (var table in estimates)
        {
            // Only tables big enough to qualify are worth a scan.
            measured.Add(table.TableBytes >= minWastedBytes ? await StattupleAsync(connection, stattuple, table, cancellationToken) : table);
        }

        return [.. measured.OrderByDescending(t => t.WastedBytes).ThenBy(t => t.Display, StringComparer.Ordinal)];
    }

    private static async Task<List<TableBloat>> EstimateAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var tables = new List<TableBloat>();
        await using var command = new NpgsqlCommand(CatalogSql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var oid = reader.GetFieldValue<uint>(0);
            var schema = reader.GetString(1);
            var name = reader.GetString(2);
            var tableBytes = reader.GetInt64(3);
            var totalBytes = reader.GetInt64(4);
            var tuples = reader.GetDouble(5);
            var columns = reader.GetInt32(6);
            var fillfactor = reader.GetInt32(7);
            double? width = reader.IsDBNull(8) ? null : reader.GetDouble(8);
            var statColumns = reader.GetInt32(9);
            var hasKey = reader.GetBoolean(10);
            var blockSize = reader.GetInt32(11);

            string? unknown = null;
            if (tuples < 0 || (tuples == 0 && tableBytes == 0 && width is null))
            {
                unknown = "never vacuumed or analyzed (run postgres.vacuum first)";
            }
            else if (width is null || statColumns < columns)
            {
                unknown = "no planner statistics for all its columns (run ANALYZE, e.g. postgres.vacuum, first)";
            }

            if (unknown is not null)
            {
                tables.Add(new TableBloat(oid, schema, name, tableBytes, totalBytes, 0, 0, "estimate", hasKey, unknown));
                continue;
            }

            var header = Align(TupleHeaderBytes + ((columns + 7) / 8));
            var perTuple = header + Align((long)Math.Ceiling(width!.Value)) + LinePointerBytes;
            var usable = (blockSize - PageHeaderBytes) * fillfactor / 100.0;
            var expectedPages = Math.Ceiling(tuples * perTuple / usable);
            var expectedBytes = (long)expectedPages * blockSize;
            var wasted = Math.Max(0, tableBytes - expectedBytes);
            var percent = tableBytes == 0 ? 0 : 100.0 * wasted / tableBytes;
            tables.Add(new TableBloat(oid, schema, name, tableBytes, totalBytes, wasted, percent, "estimate", hasKey, null));
        }

        return tables;
    }

    private static async Task<TableBloat> StattupleAsync(NpgsqlConnection connection, string extensionSchema, TableBloat table, CancellationToken cancellationToken)
    {
        var sql = $"SELECT table_len, dead_tuple_len, approx_free_space FROM {TableInventory.Quote(extensionSchema)}.pgstattuple_approx(@oid::regclass)";
        try
        {
            await using var command = new NpgsqlCommand(sql, connection);
            PostgresMaintenance.AddParameter(command, "oid", table.Oid);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var length = reader.GetInt64(0);
            var wasted = reader.GetInt64(1) + reader.GetInt64(2);
            var percent = length == 0 ? 0 : 100.0 * wasted / length;
            return table with { TableBytes = length, WastedBytes = wasted, Percent = percent, Method = "pgstattuple_approx", Unknown = null };
        }
        catch (PostgresException ex) when (PostgresMaintenance.IsLockTimeout(ex))
        {
            return table with { Unknown = "locked by another session while measuring (lock_timeout)" };
        }
    }

    private static long Align(long bytes) => (bytes + 7) / 8 * 8;
}
