using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;
using ExcelMedical.DbRunbook.Steps.Maintenance;
using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;

/// <summary>
/// A table over the bloat threshold, with what its repair needs: its oid, its size with indexes
/// and TOAST (read from the catalog, so a table someone holds locked does not stall the
/// selection), and whether pg_repack can rebuild it (a primary key, or a unique index on NOT NULL
/// columns).
/// </summary>
internal sealed record BloatCandidate(uint Oid, RelationBloat Bloat, long TotalBytes, bool HasKey, string Method)
{
    public string Display => Bloat.Display;

    public string Sql => PostgresMaintenance.Quote(Bloat.Schema, Bloat.Table);

    public string Describe() =>
        $"{Display}: {ByteSize.Format(Bloat.SizeBytes)} ({ByteSize.Format(TotalBytes)} with indexes and TOAST), {Bloat.Reported:0.#}% wasted ({ByteSize.Format(Bloat.WastedBytes)}, {Method})";
}

/// <summary>The tables of one database over the threshold, most wasted space first, and how many were measured below it.</summary>
internal sealed record BloatSelection(IReadOnlyList<BloatCandidate> Candidates, int Below, string Method);

/// <summary>
/// Which tables postgres.vacuum_full rewrites: those whose bloat, read with the monitor's own
/// measure (<see cref="BloatMeasure"/>, same minimum size, same rounding, same "above"), is over
/// min_bloat_percent. Set to the monitor's lowest bloat alert level, every table the monitor
/// flags is a candidate.
/// </summary>
internal static class BloatCandidates
{
    private const string CatalogSql = """
        SELECT c.oid,
               (c.relpages
                + coalesce((SELECT t.relpages FROM pg_class t WHERE t.oid = c.reltoastrelid), 0)
                + coalesce((SELECT sum(ic.relpages) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = c.oid), 0)
               )::bigint * current_setting('block_size')::bigint,
               EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisvalid AND (i.indisprimary
                   OR (i.indisunique AND i.indimmediate AND i.indpred IS NULL AND i.indexprs IS NULL
                       AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum = ANY (i.indkey) AND NOT a.attnotnull))))
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = @schema AND c.relname = @table AND c.relkind IN ('r', 'm')
        """;

    public static async Task<BloatSelection> SelectAsync(NpgsqlConnection connection, PostgresVacuumFullOptions options, string database, CancellationToken cancellationToken)
    {
        var reading = await BloatMeasure.ReadAsync(connection, options.MinPages, options.UsePgstattuple, cancellationToken);
        IReadOnlyList<RelationBloat> tables = reading.Tables;
        if (options.Tables.Count > 0)
        {
            var wanted = await TableNames.ResolveAllAsync(connection, options.Tables, database, cancellationToken);
            tables = [.. tables.Where(t => wanted.Any(w => w.Schema == t.Schema && w.Name == t.Table))];
        }

        var candidates = new List<BloatCandidate>();
        foreach (var table in tables.Where(t => t.Over(options.MinBloatPercent)).OrderByDescending(t => t.WastedBytes).ThenBy(t => t.Display, StringComparer.Ordinal))
        {
            await using var command = new NpgsqlCommand(CatalogSql, connection);
            command.Parameters.AddWithValue("schema", table.Schema);
            command.Parameters.AddWithValue("table", table.Table);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                candidates.Add(new BloatCandidate(reader.GetFieldValue<uint>(0), table, reader.GetInt64(1), reader.GetBoolean(2), reading.Method));
            }
        }

        return new BloatSelection(candidates, tables.Count - candidates.Count, reading.Method);
    }
}
