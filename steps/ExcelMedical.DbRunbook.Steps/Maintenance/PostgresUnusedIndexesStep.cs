using System.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;
using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Maintenance;

/// <summary>
/// The guide's "identification of unused indexes", as a report only: indexes with no scan since
/// the statistics were last reset, leaving out those that enforce something (primary key, unique,
/// exclusion, replica identity) and invalid ones (postgres.reindex reports those). It never drops an
/// index: the counters restart after a crash or a reset, and a replica keeps its own, so an index
/// idle here may serve queries on a standby.
/// </summary>
[Step("postgres.unused_indexes", "Report indexes never scanned since the statistics were reset (never drops anything)")]
public sealed class PostgresUnusedIndexesStep : Step<PostgresUnusedIndexesOptions>
{
    private const string UnusedSql = """
        SELECT s.schemaname, s.indexrelname, s.relname, pg_relation_size(s.indexrelid), s.idx_scan, pg_get_indexdef(s.indexrelid)
        FROM pg_stat_user_indexes s
        JOIN pg_index i ON i.indexrelid = s.indexrelid
        WHERE s.idx_scan = 0
          AND i.indisvalid
          AND NOT (i.indisprimary OR i.indisunique OR i.indisexclusion OR i.indisreplident)
          AND pg_relation_size(s.indexrelid) >= @min_bytes
        ORDER BY pg_relation_size(s.indexrelid) DESC, 1, 2
        """;

    private const string StatsSinceSql = """
        SELECT coalesce(to_char((SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()), 'YYYY-MM-DD HH24:MI:SS TZ'),
                        'statistics never reset; server up since ' || to_char(pg_postmaster_start_time(), 'YYYY-MM-DD HH24:MI:SS TZ'))
        """;

    public override async Task<StepPlan> PlanAsync(StepContext context, PostgresUnusedIndexesOptions options, CancellationToken cancellationToken)
    {
        // The report is read-only, so the plan shows exactly what the run would report.
        var report = await ReportAsync(PostgresTarget.For(context, options), options, cancellationToken);
        var actions = new List<string> { $"report indexes with no scan since the statistics were reset ({string.Join("; ", report.Since)}); nothing is dropped" };
        actions.AddRange(report.Indexes.Select(index => $"report {index["database"]}:{index["index"]} on {index["table"]} ({ByteSize.Format(Convert.ToDouble(index["size_bytes"], System.Globalization.CultureInfo.InvariantCulture))})"));
        return StepPlan.Of(Outputs(report), [.. actions]);
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, PostgresUnusedIndexesOptions options, CancellationToken cancellationToken)
    {
        var report = await ReportAsync(PostgresTarget.For(context, options), options, cancellationToken);
        foreach (var index in report.Indexes)
        {
            context.Log.Information("  unused: {Database}:{Index} on {Table}, {Size}: {Definition}", index["database"], index["index"], index["table"], ByteSize.Format(Convert.ToDouble(index["size_bytes"], System.Globalization.CultureInfo.InvariantCulture)), index["definition"]);
        }

        context.Log.Information(
            "  {Count} unused index(es), {Size} in all; counted since {Since}. Nothing was dropped: check replicas (they keep their own counters) before dropping any",
            report.Indexes.Count,
            ByteSize.Format(report.Indexes.Sum(i => (long)i["size_bytes"]!)),
            string.Join("; ", report.Since));
        return Outputs(report);
    }

    private static StepOutputs Outputs(UnusedReport report) => new StepOutputs()
        .Add("unused_indexes", report.Indexes)
        .Add("count", report.Indexes.Count)
        .Add("total_bytes", report.Indexes.Sum(i => (long)i["size_bytes"]!))
        .Add("stats_since", report.Since)
        .Add("operations", MaintenanceOperation.ToOutputs(report.Operations));

    private static async Task<UnusedReport> ReportAsync(PostgresTarget target, PostgresUnusedIndexesOptions options, CancellationToken cancellationToken)
    {
        var databases = await PostgresMaintenance.DatabasesAsync(target, options, cancellationToken);
        var indexes = new List<Dictionary<string, object?>>();
        var since = new List<string>();
        var operations = new List<MaintenanceOperation>();
        foreach (var database in databases)
        {
            var clock = Stopwatch.StartNew();
            await using var connection = await target.WithDatabase(database).OpenAsync(cancellationToken);
            await PostgresMaintenance.SetTimeoutAsync(connection, "lock_timeout", TimeSpan.FromSeconds(5), cancellationToken);
            var statsSince = await PostgresMaintenance.ScalarAsync<string>(connection, StatsSinceSql, cancellationToken);
            since.Add($"{database}: {statsSince}");
            var found = new List<Dictionary<string, object?>>();
            try
            {
                await using var command = new NpgsqlCommand(UnusedSql, connection);
                command.Parameters.AddWithValue("min_bytes", (long)(options.MinSizeMb * 1024 * 1024));
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    found.Add(new Dictionary<string, object?>(StringComparer.Ordinal)
                    {
                        ["database"] = database,
                        ["index"] = reader.GetString(0) + "." + reader.GetString(1),
                        ["table"] = reader.GetString(0) + "." + reader.GetString(2),
                        ["size_bytes"] = reader.GetInt64(3),
                        ["index_scans"] = reader.GetInt64(4),
                        ["definition"] = reader.GetString(5),
                    });
                }
            }
            catch (Exception ex) when (PostgresMaintenance.IsDatabaseError(ex))
            {
                throw PostgresMaintenance.Failure("the unused-index report", target.WithDatabase(database), ex);
            }

            indexes.AddRange(found);
            var bytes = found.Sum(i => (long)i["size_bytes"]!);
            operations.Add(new MaintenanceOperation("unused indexes", database, MaintenanceOperation.Reported, clock.Elapsed.TotalSeconds, bytes, bytes,
                Note: $"{found.Count} unused index(es), {ByteSize.Format(bytes)}, since {statsSince}; report only, nothing dropped"));
        }

        return new UnusedReport(indexes, since, operations);
    }

    private sealed record UnusedReport(List<Dictionary<string, object?>> Indexes, List<string> Since, List<MaintenanceOperation> Operations);
}
