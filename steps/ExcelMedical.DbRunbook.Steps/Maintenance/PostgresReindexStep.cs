using System.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;
using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Maintenance;

/// <summary>
/// Rebuilds indexes: table by table with REINDEX TABLE … CONCURRENTLY (online), or with the guide's
/// REINDEX DATABASE. Afterwards it looks for invalid indexes (pg_index.indisvalid = false), which
/// an interrupted concurrent rebuild leaves behind as *_ccnew / *_ccold, and reports them with the
/// statement that removes them; it never drops anything itself.
/// </summary>
[Step("postgres.reindex", "Rebuild indexes (REINDEX TABLE CONCURRENTLY per table, or REINDEX DATABASE), then report invalid leftover indexes")]
public sealed class PostgresReindexStep : Step<PostgresReindexOptions>
{
    private const string TablesSql = """
        SELECT c.oid, n.nspname, c.relname, c.relkind
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'm') AND c.relhasindex
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
        ORDER BY 2, 3
        """;

    private const string IndexSizeSql = "SELECT coalesce(sum(pg_relation_size(indexrelid)), 0)::bigint FROM pg_index";

    public override async Task<StepPlan> PlanAsync(StepContext context, PostgresReindexOptions options, CancellationToken cancellationToken)
    {
        var target = PostgresTarget.For(context, options);
        var databases = await PostgresMaintenance.DatabasesAsync(target, options, cancellationToken);
        var actions = new List<string>();
        foreach (var database in databases)
        {
            await using var connection = await target.WithDatabase(database).OpenAsync(cancellationToken);
            var version = await PostgresServerVersion.NumberAsync(connection, cancellationToken);
            if (options.Mode == ReindexMode.Database)
            {
                var indexBytes = await PostgresMaintenance.ScalarAsync<long>(connection, IndexSizeSql, cancellationToken);
                var catalogs = version is >= 140000 and < 160000 ? "; on this PostgreSQL version it also rebuilds the system catalogs" : string.Empty;
                actions.Add($"run REINDEX DATABASE {database} ({ByteSize.Format(indexBytes)} of indexes), lock_timeout {PostgresMaintenance.Milliseconds(options.LockTimeout)}: writes to each table wait while its indexes are rebuilt{catalogs}");
            }
            else
            {
                RequireConcurrentSupport(version, target);
                var tables = await TablesAsync(connection, options, database, cancellationToken);
                foreach (var table in tables)
                {
                    var indexBytes = await PostgresMaintenance.ScalarAsync<long>(connection, "SELECT pg_indexes_size(@oid)", cancellationToken, ("oid", table.Oid));
                    actions.Add($"run REINDEX TABLE CONCURRENTLY {table.Display} in {database} ({ByteSize.Format(indexBytes)} of indexes), lock_timeout {PostgresMaintenance.Milliseconds(options.LockTimeout)}; reads and writes continue");
                }

                if (tables.Count == 0)
                {
                    actions.Add($"find no table with indexes in {database}");
                }
            }

            foreach (var invalid in await InvalidIndex.FindAsync(connection, database, cancellationToken))
            {
                actions.Add($"report the invalid index {invalid.Display} found now ({invalid.Advice})");
            }
        }

        actions.Add("look for invalid indexes afterwards (pg_index.indisvalid = false) and report them; nothing is dropped");
        return StepPlan.Of(new StepOutputs().Add("databases", databases.ToList()).Add("mode", Mode(options)), [.. actions]);
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, PostgresReindexOptions options, CancellationToken cancellationToken)
    {
        var target = PostgresTarget.For(context, options);
        var databases = await PostgresMaintenance.DatabasesAsync(target, options, cancellationToken);
        var operations = new List<MaintenanceOperation>();
        var failures = new List<string>();
        var invalid = new List<InvalidIndex>();
        var reindexed = 0;
        foreach (var database in databases)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                await using var connection = await target.WithDatabase(database).OpenAsync(cancellationToken, commandTimeoutSeconds: 0);
                connection.Notice += (_, e) => context.Log.Warning("  {Database}: {Severity} {Notice}", database, e.Notice.Severity, e.Notice.MessageText);
                await PostgresMaintenance.SetTimeoutAsync(connection, "lock_timeout", options.LockTimeout, cancellationToken);
                if (options.Mode == ReindexMode.Database)
                {
                    var before = await PostgresMaintenance.ScalarAsync<long>(connection, IndexSizeSql, cancellationToken);
                    await PostgresMaintenance.ExecuteAsync(connection, $"REINDEX DATABASE {TableInventory.Quote(database)}", cancellationToken);
                    var after = await PostgresMaintenance.ScalarAsync<long>(connection, IndexSizeSql, cancellationToken);
                    operations.Add(new MaintenanceOperation("REINDEX DATABASE", database, MaintenanceOperation.Done, clock.Elapsed.TotalSeconds, before, after));
                    context.Log.Information("  REINDEX DATABASE {Database}: indexes {Before} -> {After} in {Duration}", database, ByteSize.Format(before), ByteSize.Format(after), Duration.Format(clock.Elapsed));
                    reindexed++;
                }
                else
                {
                    RequireConcurrentSupport(await PostgresServerVersion.NumberAsync(connection, cancellationToken), target);
                    foreach (var table in await TablesAsync(connection, options, database, cancellationToken))
                    {
                        var outcome = await ReindexTableAsync(context, connection, database, table, cancellationToken);
                        operations.Add(outcome);
                        if (outcome.Status == MaintenanceOperation.Done)
                        {
                            reindexed++;
                        }
                        else
                        {
                            failures.Add($"{outcome.Target}: {outcome.Note}");
                        }
                    }
                }

                invalid.AddRange(await InvalidIndex.FindAsync(connection, database, cancellationToken));
            }
            catch (Exception ex) when (PostgresMaintenance.IsDatabaseError(ex) || ex is StepFailedException)
            {
                var message = ex is StepFailedException ? ex.Message : PostgresMaintenance.Explain(ex);
                failures.Add($"{database}: {message}");
                operations.Add(new MaintenanceOperation(options.Mode == ReindexMode.Database ? "REINDEX DATABASE" : "REINDEX CONCURRENTLY", database, MaintenanceOperation.Failed, clock.Elapsed.TotalSeconds, Note: message));
                context.Log.Error("  reindex of {Database} failed: {Message}", database, message);
            }
        }

        foreach (var index in invalid)
        {
            context.Log.Warning("  invalid index {Index} in {Database} ({Size}): {Advice}", index.Display, index.Database, ByteSize.Format(index.SizeBytes), index.Advice);
            operations.Add(new MaintenanceOperation("invalid index", $"{index.Database}:{index.Schema}.{index.Index}", MaintenanceOperation.Reported, 0, index.SizeBytes, index.SizeBytes, Note: index.Advice));
        }

        var problems = new List<string>();
        if (failures.Count > 0)
        {
            problems.Add($"reindex failed for {string.Join("; ", failures)}");
        }

        if (invalid.Count > 0 && options.FailOnInvalidIndexes)
        {
            problems.Add($"{invalid.Count} invalid index(es) remain: {string.Join("; ", invalid.Select(i => $"{i.Database}:{i.Display}, {i.Advice}"))} (set fail_on_invalid_indexes: false to only report them)");
        }

        if (problems.Count > 0)
        {
            throw new StepFailedException(string.Join(". ", problems));
        }

        return new StepOutputs()
            .Add("databases", databases.ToList())
            .Add("mode", Mode(options))
            .Add("reindexed", reindexed)
            .Add("index_size_before_bytes", operations.Sum(o => o.Status == MaintenanceOperation.Done ? o.SizeBeforeBytes ?? 0 : 0))
            .Add("index_size_after_bytes", operations.Sum(o => o.Status == MaintenanceOperation.Done ? o.SizeAfterBytes ?? 0 : 0))
            .Add("invalid_indexes", invalid.Select(i => i.ToOutput()).ToList())
            .Add("operations", MaintenanceOperation.ToOutputs(operations));
    }

    private static async Task<MaintenanceOperation> ReindexTableAsync(StepContext context, NpgsqlConnection connection, string database, ResolvedTable table, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var target = $"{database}:{table.Display}";
        try
        {
            var before = await PostgresMaintenance.ScalarAsync<long>(connection, "SELECT pg_indexes_size(@oid)", cancellationToken, ("oid", table.Oid));
            await PostgresMaintenance.ExecuteAsync(connection, $"REINDEX TABLE CONCURRENTLY {table.Sql}", cancellationToken);
            var after = await PostgresMaintenance.ScalarAsync<long>(connection, "SELECT pg_indexes_size(@oid)", cancellationToken, ("oid", table.Oid));
            context.Log.Information("  REINDEX TABLE CONCURRENTLY {Table}: indexes {Before} -> {After} in {Duration}", table.Display, ByteSize.Format(before), ByteSize.Format(after), Duration.Format(clock.Elapsed));
            return new MaintenanceOperation("REINDEX CONCURRENTLY", target, MaintenanceOperation.Done, clock.Elapsed.TotalSeconds, before, after);
        }
        catch (Exception ex) when (PostgresMaintenance.IsDatabaseError(ex))
        {
            var message = PostgresMaintenance.Explain(ex);
            context.Log.Error("  REINDEX TABLE CONCURRENTLY {Table} failed: {Message}", table.Display, message);
            return new MaintenanceOperation("REINDEX CONCURRENTLY", target, MaintenanceOperation.Failed, clock.Elapsed.TotalSeconds, Note: message);
        }
    }

    private static async Task<IReadOnlyList<ResolvedTable>> TablesAsync(NpgsqlConnection connection, PostgresReindexOptions options, string database, CancellationToken cancellationToken)
    {
        if (options.Tables.Count > 0)
        {
            return await TableNames.ResolveAllAsync(connection, options.Tables, database, cancellationToken);
        }

        var tables = new List<ResolvedTable>();
        await using var command = new NpgsqlCommand(TablesSql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tables.Add(new ResolvedTable(reader.GetFieldValue<uint>(0), reader.GetString(1), reader.GetString(2), reader.GetChar(3)));
        }

        return tables;
    }

    private static void RequireConcurrentSupport(int version, PostgresTarget target)
    {
        if (version < 120000)
        {
            throw new StepFailedException($"{target.Display} runs PostgreSQL {PostgresServerVersion.Major(version)}: REINDEX … CONCURRENTLY needs 12 or later; use mode: database");
        }
    }

    private static string Mode(PostgresReindexOptions options) => options.Mode == ReindexMode.Database ? "database" : "concurrently";
}
