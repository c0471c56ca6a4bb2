using System.Globalization;
using System.Text.RegularExpressions;
using ExcelMedical.DbRunbook.Steps.Monitoring.Metrics;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;
using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Metrics;

/// <summary>pg_database_size of the connection's database (check_postgres database_size).</summary>
internal sealed class DatabaseSizeMetric : IPostgresMetric
{
    public string Name => "db_size";

    public async Task CollectAsync(NpgsqlConnection connection, PostgresProbe probe, CancellationToken cancellationToken)
    {
        var size = await PgQuery.ScalarAsync<long>(connection, "SELECT pg_database_size(current_database())", cancellationToken);
        probe.Set.Add("postgres.db_size", probe.Database, size, "bytes");
        probe.Set.Details["db_size_bytes"] = size;
    }
}

/// <summary>Client connections of the whole server, and as a percentage of max_connections (own session excluded).</summary>
internal sealed class ConnectionsMetric : IPostgresMetric
{
    private const string Sql = """
        SELECT count(*) FILTER (WHERE pid <> pg_backend_pid()),
               count(*) FILTER (WHERE pid <> pg_backend_pid() AND state = 'active'),
               current_setting('max_connections')::int
        FROM pg_stat_activity WHERE backend_type = 'client backend'
        """;

    public string Name => "connections";

    public async Task CollectAsync(NpgsqlConnection connection, PostgresProbe probe, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(Sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var total = reader.GetInt64(0);
        var active = reader.GetInt64(1);
        var max = reader.GetInt32(2);
        var percent = max == 0 ? 0 : Math.Round(100.0 * total / max, 1);
        probe.Set.Add("postgres.connections", probe.Server, total, "connections", $"{total} of max_connections {max} ({active} active)");
        probe.Set.Add("postgres.connections_pct", probe.Server, percent, "percent");
        probe.Set.Details["connections"] = total;
        probe.Set.Details["active_connections"] = active;
        probe.Set.Details["max_connections"] = max;
        probe.Set.Details["connections_pct"] = percent;
    }
}

/// <summary>
/// Active queries (not idle, not idle in transaction) of client backends, longest first, without
/// this session: the longest is the sample; those over the threshold are listed with masked text.
/// </summary>
internal sealed partial class LongQueriesMetric : IPostgresMetric
{
    private const string Sql = """
        SELECT pid, coalesce(usename, ''), coalesce(datname, ''), state,
               extract(epoch FROM clock_timestamp() - query_start)::float8 AS seconds, query
        FROM pg_stat_activity
        WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
          AND query_start IS NOT NULL AND state IS DISTINCT FROM 'idle' AND state NOT LIKE 'idle in transaction%'
          AND ($1 OR datname = current_database())
        ORDER BY seconds DESC
        """;

    public string Name => "query_seconds";

    public async Task CollectAsync(NpgsqlConnection connection, PostgresProbe probe, CancellationToken cancellationToken)
    {
        var options = probe.Options;
        var longQueries = new List<object?>();
        var longest = 0.0;
        string? longestDetail = null;
        await using (var command = new NpgsqlCommand(Sql, connection))
        {
            command.Parameters.AddWithValue(options.QueryScope == QueryScope.Server);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var seconds = Math.Round(reader.GetDouble(4), 1);
                var text = Mask(reader.IsDBNull(5) ? string.Empty : reader.GetString(5), options.QueryTextLength, probe);
                var pid = reader.GetInt32(0);
                var user = reader.GetString(1);
                if (seconds > longest)
                {
                    longest = seconds;
                    longestDetail = string.Create(CultureInfo.InvariantCulture, $"pid {pid} ({user}@{reader.GetString(2)}) running {seconds:0} s: {text}");
                }

                if (seconds > options.LongQueryThreshold.TotalSeconds)
                {
                    longQueries.Add(new Dictionary<string, object?>(StringComparer.Ordinal)
                    {
                        ["pid"] = pid,
                        ["user"] = user,
                        ["database"] = reader.GetString(2),
                        ["state"] = reader.IsDBNull(3) ? null : reader.GetString(3),
                        ["seconds"] = seconds,
                        ["query"] = text,
                    });
                }
            }
        }

        var target = options.QueryScope == QueryScope.Server ? probe.Server : probe.Database;
        probe.Set.Add("postgres.query_seconds", target, longest, "seconds", longQueries.Count > 1 ? $"{longQueries.Count} queries over {options.LongQueryThreshold.TotalSeconds:0} s; longest {longestDetail}" : longestDetail);
        probe.Set.Details["longest_query_seconds"] = longest;
        probe.Set.Details["long_queries"] = longQueries;
    }

    /// <summary>Literals out (they may hold personal data or passwords; see <see cref="SqlLiteralMask"/>), known secrets masked, then cut.</summary>
    internal static string Mask(string query, int length, PostgresProbe probe)
    {
        var text = WhitespaceRegex().Replace(SqlLiteralMask.Apply(query), " ").Trim();
        text = probe.Context.Secrets.Apply(text);
        return text.Length <= length ? text : text[..(length - 1)] + "…";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRegex();
}

/// <summary>
/// Bloat of tables and btree indexes of at least bloat_min_pages. Tables are measured with
/// pgstattuple_approx when the extension is installed (pgwatch), else estimated from statistics
/// (ioguix's method); indexes are always estimated (pgstatindex would read every page).
/// check_postgres's bloat action also covers indexes; the unused-index metric covers what bloat
/// cannot: an index that costs writes and is never read. The measure is <see cref="BloatMeasure"/>,
/// the one postgres.vacuum_full selects its tables with.
/// </summary>
internal sealed class BloatMetric : IPostgresMetric
{
    public string Name => "bloat_pct";

    public async Task CollectAsync(NpgsqlConnection connection, PostgresProbe probe, CancellationToken cancellationToken)
    {
        var options = probe.Options;
        var reading = await BloatMeasure.ReadAsync(connection, options.BloatMinPages, options.UsePgstattuple, cancellationToken);
        foreach (var table in reading.Tables)
        {
            probe.Set.Add("postgres.bloat_pct", $"{probe.Database}.{table.Schema}.{table.Table}", table.Reported, "percent",
                string.Create(CultureInfo.InvariantCulture, $"{Engine.Model.ByteSize.Format(table.WastedBytes)} wasted of {Engine.Model.ByteSize.Format(table.SizeBytes)} ({reading.Method})"));
        }

        foreach (var index in reading.Indexes)
        {
            probe.Set.Add("postgres.index_bloat_pct", $"{probe.Database}.{index.Schema}.{index.Index}", index.Reported, "percent",
                string.Create(CultureInfo.InvariantCulture, $"{Engine.Model.ByteSize.Format(index.WastedBytes)} wasted of {Engine.Model.ByteSize.Format(index.SizeBytes)} on {index.Table} (estimate)"));
        }

        probe.Set.Details["bloat_method"] = reading.Method;
        probe.Set.Details["max_bloat_pct"] = reading.Tables.Count == 0 ? 0.0 : reading.Tables.Max(t => t.Reported);
        probe.Set.Details["bloated_tables"] = Top(reading.Tables, options.BloatTop);
        probe.Set.Details["max_index_bloat_pct"] = reading.Indexes.Count == 0 ? 0.0 : reading.Indexes.Max(t => t.Reported);
        probe.Set.Details["bloated_indexes"] = Top(reading.Indexes, options.BloatTop);
    }

    private static List<object?> Top(IReadOnlyList<RelationBloat> relations, int count) => relations
        .OrderByDescending(t => t.Percent)
        .Take(count)
        .Select(t => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["schema"] = t.Schema,
            ["table"] = t.Table,
            ["index"] = t.Index,
            ["size_bytes"] = t.SizeBytes,
            ["bloat_bytes"] = t.WastedBytes,
            ["bloat_pct"] = t.Reported,
        })
        .ToList();
}

/// <summary>
/// Indexes never scanned since the statistics were reset, leaving out primary, unique, exclusion
/// and replica-identity indexes (pgwatch reco_drop_index), with the age of the statistics:
/// counters restart after a crash or a restore, and a replica's scans are not counted here.
/// </summary>
internal sealed class UnusedIndexesMetric : IPostgresMetric
{
    // pg_stat_user_indexes's own filter and idx_scan, read from the catalogue: the view computes
    // every counter of every index first (3x slower with 1,000 indexes).
    private const string Sql = """
        SELECT n.nspname, t.relname, c.relname, pg_relation_size(i.indexrelid)
        FROM pg_index i
          JOIN pg_class c ON c.oid = i.indexrelid
          JOIN pg_class t ON t.oid = i.indrelid
          JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE t.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
          AND pg_stat_get_numscans(i.indexrelid) = 0 AND i.indisvalid
          AND NOT (i.indisprimary OR i.indisunique OR i.indisexclusion OR i.indisreplident)
        ORDER BY 4 DESC, 1, 2, 3
        """;

    public string Name => "unused_indexes";

    public async Task CollectAsync(NpgsqlConnection connection, PostgresProbe probe, CancellationToken cancellationToken)
    {
        var indexes = await PgQuery.ReadAsync(connection, Sql, null, r => (Schema: r.GetString(0), Table: r.GetString(1), Index: r.GetString(2), Size: r.GetInt64(3)), cancellationToken);
        await using var command = new NpgsqlCommand("SELECT stats_reset, pg_postmaster_start_time() FROM pg_stat_database WHERE datname = current_database()", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        DateTimeOffset? reset = reader.IsDBNull(0) ? null : reader.GetFieldValue<DateTimeOffset>(0);
        var since = reset ?? reader.GetFieldValue<DateTimeOffset>(1);
        var ageDays = Math.Round((probe.Context.Time.GetUtcNow() - since).TotalDays, 1);
        probe.Set.Add("postgres.unused_indexes", probe.Database, indexes.Count, "indexes",
            string.Create(CultureInfo.InvariantCulture, $"statistics {ageDays} days old (since {(reset is null ? "server start" : "reset")} {since:yyyy-MM-dd HH:mm}); check replicas before dropping"));
        probe.Set.Details["unused_indexes"] = indexes.Select(i => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["schema"] = i.Schema,
            ["table"] = i.Table,
            ["index"] = i.Index,
            ["size_bytes"] = i.Size,
        }).ToList();
        probe.Set.Details["stats_since"] = since.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);
        probe.Set.Details["stats_age_days"] = ageDays;
    }
}

/// <summary>
/// The buffer cache hit ratio since the previous run (postgres_mixin uses a rate, not the
/// lifetime counter). The first run only records the counters; a counter that went down (stats
/// reset) starts over.
/// </summary>
internal sealed class CacheHitMetric : IPostgresMetric
{
    public string Name => "cache_hit_pct";

    public async Task CollectAsync(NpgsqlConnection connection, PostgresProbe probe, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT blks_hit, blks_read, stats_reset FROM pg_stat_database WHERE datname = current_database()", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var now = new CacheCounters(reader.GetInt64(0), reader.GetInt64(1), probe.Context.Time.GetUtcNow(), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
        var key = $"{probe.Server}/{probe.Database}";
        probe.NextState.CacheCounters[key] = now;
        if (probe.Previous.CacheCounters.GetValueOrDefault(key) is not { } before || now.BlocksHit < before.BlocksHit || now.BlocksRead < before.BlocksRead || now.StatsReset != before.StatsReset)
        {
            probe.Set.Details["cache_hit_pct"] = null;
            probe.Set.Details["cache_hit_note"] = "first reading (or statistics reset): the ratio is measured from the next run on";
            return;
        }

        var hits = now.BlocksHit - before.BlocksHit;
        var reads = now.BlocksRead - before.BlocksRead;
        if (hits + reads == 0)
        {
            probe.Set.Details["cache_hit_pct"] = null;
            probe.Set.Details["cache_hit_note"] = "no block was accessed since the previous run";
            return;
        }

        var ratio = Math.Round(100.0 * hits / (hits + reads), 2);
        probe.Set.Add("postgres.cache_hit_pct", probe.Database, ratio, "percent",
            string.Create(CultureInfo.InvariantCulture, $"{hits} hits, {reads} reads since {before.At:yyyy-MM-dd HH:mm}"));
        probe.Set.Details["cache_hit_pct"] = ratio;
    }
}

/// <summary>Transaction ID and multixact age of every database (wraparound), also as a percentage of autovacuum_freeze_max_age.</summary>
internal sealed class WraparoundMetric : IPostgresMetric
{
    private const string Sql = """
        SELECT datname, age(datfrozenxid)::int8, mxid_age(datminmxid)::int8, current_setting('autovacuum_freeze_max_age')::int8
        FROM pg_database WHERE datallowconn ORDER BY 2 DESC
        """;

    public string Name => "xid_age";

    public async Task CollectAsync(NpgsqlConnection connection, PostgresProbe probe, CancellationToken cancellationToken)
    {
        var rows = await PgQuery.ReadAsync(connection, Sql, null, r => (Database: r.GetString(0), Xid: r.GetInt64(1), Mxid: r.GetInt64(2), FreezeMax: r.GetInt64(3)), cancellationToken);
        if (rows.Count == 0)
        {
            return;
        }

        var oldest = rows[0];
        var percent = Math.Round(100.0 * oldest.Xid / oldest.FreezeMax, 1);
        probe.Set.Add("postgres.xid_age", probe.Server, oldest.Xid, "transactions", $"oldest: {oldest.Database}");
        probe.Set.Add("postgres.mxid_age", probe.Server, rows.Max(r => r.Mxid), "multixacts");
        probe.Set.Add("postgres.wraparound_pct", probe.Server, percent, "percent", $"{oldest.Xid} of autovacuum_freeze_max_age {oldest.FreezeMax} ({oldest.Database})");
        probe.Set.Details["xid_age"] = oldest.Xid;
        probe.Set.Details["mxid_age"] = rows.Max(r => r.Mxid);
        probe.Set.Details["wraparound_pct"] = percent;
    }
}

/// <summary>Small helpers for the monitoring queries.</summary>
internal static class PgQuery
{
    public static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public static async Task<List<T>> ReadAsync<T>(NpgsqlConnection connection, string sql, object? parameter, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (parameter is not null)
        {
            command.Parameters.AddWithValue(parameter);
        }

        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
