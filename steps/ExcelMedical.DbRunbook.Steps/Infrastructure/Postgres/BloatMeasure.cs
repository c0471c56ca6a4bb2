using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;

/// <summary>One table's or index's bloat, as the monitor reports it and maintenance repairs it.</summary>
internal sealed record RelationBloat(string Schema, string Table, string? Index, long SizeBytes, long WastedBytes, double Percent)
{
    /// <summary>
    /// The number the monitor's sample carries (postgres.bloat_pct, one decimal). The alert and
    /// the repair compare this same number with their threshold, so they cannot disagree by a rounding.
    /// </summary>
    public double Reported => Math.Round(Percent, 1);

    /// <summary>schema.table, or schema.index for an index.</summary>
    public string Display => $"{Schema}.{Index ?? Table}";

    /// <summary>Beyond a level as monitor.evaluate judges a sample: strictly above it.</summary>
    public bool Over(double percent) => Reported > percent;
}

/// <summary>The bloat of one database's tables and indexes, and how the tables were measured.</summary>
internal sealed record BloatReading(IReadOnlyList<RelationBloat> Tables, IReadOnlyList<RelationBloat> Indexes, string Method);

/// <summary>
/// The one bloat measure of the product: postgres.metrics alerts on it (postgres.bloat_pct,
/// postgres.index_bloat_pct) and postgres.vacuum_full selects the tables it rewrites with it, so
/// maintenance repairs exactly what monitoring flags. Tables and indexes of at least min_pages
/// pages; tables measured with pgstattuple_approx where the extension is installed and allowed
/// (relations locked ACCESS EXCLUSIVE are left out, so the reading never waits behind a VACUUM
/// FULL), else estimated from the statistics like the indexes (see <see cref="BloatQueries"/>).
/// </summary>
internal static class BloatMeasure
{
    /// <summary>Relations smaller than this many pages (1 MiB) are not measured: small tables show high, meaningless percentages (pgwatch).</summary>
    public const int DefaultMinPages = 128;

    /// <summary>The shipped monitor's lowest postgres.bloat_pct alert level (its warning), which maintenance repairs from.</summary>
    public const double DefaultAlertPercent = 30;

    public static async Task<BloatReading> ReadAsync(NpgsqlConnection connection, int minPages, bool usePgstattuple, CancellationToken cancellationToken)
    {
        var measured = usePgstattuple && await HasPgstattupleAsync(connection, cancellationToken);
        var estimates = await ReadAsync(connection, BloatQueries.Estimate, minPages, cancellationToken);
        var tables = measured
            ? await ReadAsync(connection, BloatQueries.Pgstattuple, minPages, cancellationToken)
            : [.. estimates.Where(r => r.Index is null)];
        return new BloatReading(tables, [.. estimates.Where(r => r.Index is not null)], measured ? "pgstattuple_approx" : "estimate");
    }

    private static async Task<bool> HasPgstattupleAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pgstattuple')", connection);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<List<RelationBloat>> ReadAsync(NpgsqlConnection connection, string sql, int minPages, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue(minPages);
        var rows = new List<RelationBloat>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new RelationBloat(reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetDouble(6)));
        }

        return rows;
    }
}
