using System.Diagnostics;
using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Retention;
using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Retention;

/// <summary>
/// The guide's PostgreSQL data retention: rows older than each table's period are deleted in
/// batches (each batch its own transaction, a pause between them, statement_timeout on each),
/// then the table is vacuumed. Nothing is deleted unless every table passes the guard rails: it
/// exists, its column exists and is a date/time type, and the purge removes no more than
/// max_delete_share of it (or the playbook allows more for that table).
/// </summary>
[Step("postgres.retention", "Purge rows older than each table's retention period in batches, with guard rails; the dry run counts exactly what would go")]
public sealed class PostgresRetentionStep : Step<PostgresRetentionOptions>
{
    public override async Task<StepPlan> PlanAsync(StepContext context, PostgresRetentionOptions options, CancellationToken cancellationToken)
    {
        var target = PostgresTarget.For(context, options);
        var census = await CensusAsync(context, target, options, cancellationToken);
        var refused = census.Where(c => c.Refusal is not null).ToList();
        var actions = new List<string>();
        if (census.FirstOrDefault(c => c.Comparison is { IsInstant: false })?.Comparison is { } zoned)
        {
            actions.Add($"read timestamp (without time zone) and date columns in time zone {zoned.TimeZone} ({zoned.ZoneSource})");
        }

        foreach (var table in census)
        {
            if (table.Refusal is not null)
            {
                actions.Add($"refuse {table.Display}: {table.Refusal}");
                actions.AddRange(table.Reach.Describe());
                continue;
            }

            var what = string.Create(CultureInfo.InvariantCulture,
                $"{table.Older:N0} of {table.Rows:N0} rows ({RetentionGuard.Percent(table.Share)}) from {table.Display}: {table.Policy.Column} before the cutoff {table.Comparison!.Describe()} ({table.Policy.Days} days)");
            actions.Add(refused.Count == 0 ? "delete " + what : $"count {what}, but delete none of them because of the refusal");
            actions.AddRange(table.Reach.Describe());
            if (table.Reach.Tables.Count > 0)
            {
                actions.Add("  measure in each batch's transaction what the cascade deletes and changes (allow_cascade: true)");
            }

            if (!table.Indexed && table.Older > 0)
            {
                actions.Add($"  note: no index starts with {table.Display}.{table.Policy.Column}, so every batch scans the table");
            }
        }

        actions.Add(refused.Count > 0
            ? $"delete NOTHING and fail: {refused.Count} table(s) refused by the guard rails above"
            : $"delete in batches of {options.BatchSize} rows, each its own transaction, statement_timeout {PostgresMaintenance.Milliseconds(options.StatementTimeout)}, {Duration.Format(options.BatchPause)} pause between batches{(options.Vacuum ? "; then VACUUM (ANALYZE) each purged table" : string.Empty)}");
        return StepPlan.Of(Outputs(census, null), [.. actions]);
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, PostgresRetentionOptions options, CancellationToken cancellationToken)
    {
        var target = PostgresTarget.For(context, options);
        var census = await CensusAsync(context, target, options, cancellationToken);
        var refused = census.Where(c => c.Refusal is not null).ToList();
        if (refused.Count > 0)
        {
            RetentionGuard.Alert(context, "postgres", refused.Select(c => (c.Display, c.Refusal!)));
            throw new StepFailedException(RetentionGuard.Refused(refused.Select(c => c.Refusal!)));
        }

        if (census.FirstOrDefault(c => c.Comparison is { IsInstant: false })?.Comparison is { } zoned)
        {
            context.Log.Information("  timestamp and date columns are read in time zone {Zone} ({Source})", zoned.TimeZone, zoned.ZoneSource);
        }

        await using var connection = await target.OpenAsync(cancellationToken, commandTimeoutSeconds: 0);
        var results = new List<RetentionPurge<TableCensus>>();
        foreach (var table in census)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results.Add(await PurgeAsync(context, options, target, connection, table, cancellationToken));
        }

        return Outputs(census, results);
    }

    private static async Task<RetentionPurge<TableCensus>> PurgeAsync(StepContext context, PostgresRetentionOptions options, PostgresTarget target, NpgsqlConnection connection, TableCensus table, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var before = await SizeAsync(connection, table, cancellationToken);
        long deleted = 0;
        var batches = 0;
        var meter = await CascadeMeter.StartAsync(connection, table.Reach, cancellationToken);
        if (table.Older > 0)
        {
            context.Log.Information("  {Table}: deleting {Rows} row(s) with {Column} < {Cutoff} ({Days} days)", table.Display, table.Older, table.Policy.Column, table.Comparison!.Describe(), table.Policy.Days);
            await PostgresMaintenance.SetTimeoutAsync(connection, "statement_timeout", options.StatementTimeout, cancellationToken);
            var column = TableInventory.Quote(table.Policy.Column);
            try
            {
                foreach (var leaf in table.Leaves)
                {
                    // ctid = ANY(ARRAY(...)) is a TID scan: each batch touches only the rows it deletes.
                    var sql = $"DELETE FROM ONLY {leaf.Sql} WHERE ctid = ANY (ARRAY (SELECT ctid FROM ONLY {leaf.Sql} WHERE {RetentionCutoff.Predicate(column)} LIMIT @batch))";
                    while (true)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
                        table.Comparison.Bind(command);
                        command.Parameters.AddWithValue("batch", options.BatchSize);
                        var count = await meter.MeasureAsync(() => command.ExecuteNonQueryAsync(cancellationToken), cancellationToken);
                        deleted += count;
                        batches++;
                        context.Log.Debug("  {Table}: batch {Batch} deleted {Count} row(s), {Deleted} so far", leaf.Display, batches, count, deleted);
                        if (count < options.BatchSize)
                        {
                            break;
                        }

                        if (options.BatchPause > TimeSpan.Zero)
                        {
                            await Task.Delay(options.BatchPause, context.Time, cancellationToken);
                        }
                    }
                }
            }
            catch (Exception ex) when (PostgresMaintenance.IsDatabaseError(ex))
            {
                throw new StepFailedException(
                    $"purging {table.Display} on {target.Display} stopped after {deleted} row(s) in {batches} committed batch(es): {PostgresMaintenance.Explain(ex)}; lower batch_size or raise statement_timeout, then run again (deleted rows stay deleted)", ex);
            }
            finally
            {
                await PostgresMaintenance.SetTimeoutAsync(connection, "statement_timeout", TimeSpan.Zero, CancellationToken.None);
            }
        }

        if (options.Vacuum && deleted > 0)
        {
            await PostgresMaintenance.ExecuteAsync(connection, $"VACUUM (ANALYZE) {table.Table!.Sql}", cancellationToken);
        }

        var after = await SizeAsync(connection, table, cancellationToken);
        context.Log.Information(
            "  {Table}: deleted {Deleted} of {Rows} row(s) older than {Cutoff} in {Batches} batch(es), {Before} -> {After}{Vacuumed}, {Duration}",
            table.Display, deleted, table.Rows, table.CutoffText, batches, ByteSize.Format(before), ByteSize.Format(after),
            options.Vacuum && deleted > 0 ? " after VACUUM (ANALYZE)" : string.Empty, Duration.Format(clock.Elapsed));
        foreach (var line in meter.Describe())
        {
            context.Log.Information("  {Table}: {Cascade}", table.Display, line);
        }

        return new RetentionPurge<TableCensus>(table, deleted, batches, before, after, clock.Elapsed.TotalSeconds) { Extra = meter.ToOutput() };
    }

    private static async Task<long> SizeAsync(NpgsqlConnection connection, TableCensus table, CancellationToken cancellationToken)
    {
        long size = 0;
        foreach (var leaf in table.Leaves)
        {
            size += await PostgresMaintenance.ScalarAsync<long>(connection, "SELECT pg_total_relation_size(@oid)", cancellationToken, ("oid", leaf.Oid));
        }

        return size;
    }

    private static async Task<IReadOnlyList<TableCensus>> CensusAsync(StepContext context, PostgresTarget target, PostgresRetentionOptions options, CancellationToken cancellationToken)
    {
        await using var connection = await target.OpenAsync(cancellationToken, commandTimeoutSeconds: 0);
        try
        {
            return await PostgresRetentionCensus.TakeAsync(connection, options, context.Run.Started, cancellationToken);
        }
        catch (Exception ex) when (PostgresMaintenance.IsDatabaseError(ex))
        {
            throw PostgresMaintenance.Failure("counting the rows to purge", target, ex);
        }
    }

    private static StepOutputs Outputs(IReadOnlyList<TableCensus> census, IReadOnlyList<RetentionPurge<TableCensus>>? results) =>
        RetentionOutputs.Of(census, results, "tables", "rows", c => c.Display);
}
