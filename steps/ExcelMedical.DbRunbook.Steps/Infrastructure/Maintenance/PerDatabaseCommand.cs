using System.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;
using ExcelMedical.DbRunbook.Steps.SharedOptions;
using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;

/// <summary>
/// Runs one maintenance statement (VACUUM, ANALYZE) in each selected database, or on each listed
/// table, in autocommit, measuring sizes before and after. A database that fails does not stop
/// the others; the step fails at the end, naming every failure.
/// </summary>
internal static class PerDatabaseCommand
{
    public static async Task<StepPlan> PlanAsync(StepContext context, PostgresDatabasesOptions options, IReadOnlyList<string> tables, string statement, string locks, CancellationToken cancellationToken)
    {
        var target = PostgresTarget.For(context, options);
        var names = await PostgresMaintenance.DatabasesAsync(target, options, cancellationToken);
        var actions = new List<string>();
        foreach (var database in names)
        {
            var on = target.WithDatabase(database);
            await using var connection = await on.OpenAsync(cancellationToken);
            var size = await PostgresMaintenance.DatabaseSizeAsync(connection, cancellationToken);
            if (tables.Count == 0)
            {
                actions.Add($"run {statement} in database {database} ({ByteSize.Format(size)}) on {target.Host}:{target.Port}, outside a transaction; {locks}");
                continue;
            }

            foreach (var table in await TableNames.ResolveAllAsync(connection, tables, database, cancellationToken))
            {
                actions.Add($"run {statement} {table.Display} in database {database}, outside a transaction; {locks}");
            }
        }

        return StepPlan.Of(new StepOutputs().Add("databases", names.ToList()), [.. actions]);
    }

    public static async Task<StepOutputs> ExecuteAsync(StepContext context, PostgresDatabasesOptions options, IReadOnlyList<string> tables, string statement, CancellationToken cancellationToken)
    {
        var target = PostgresTarget.For(context, options);
        var names = await PostgresMaintenance.DatabasesAsync(target, options, cancellationToken);
        var operations = new List<MaintenanceOperation>();
        var failures = new List<string>();
        var skipped = 0;
        foreach (var database in names)
        {
            var on = target.WithDatabase(database);
            var clock = Stopwatch.StartNew();
            try
            {
                await using var connection = await on.OpenAsync(cancellationToken, commandTimeoutSeconds: 0);
                var passedOver = new SkippedRelations();
                connection.Notice += (_, e) =>
                {
                    if (!passedOver.Take(e.Notice.MessageText))
                    {
                        context.Log.Information("  {Database}: {Severity} {Notice}", database, e.Notice.Severity, e.Notice.MessageText);
                    }
                };
                if (tables.Count == 0)
                {
                    var before = await PostgresMaintenance.DatabaseSizeAsync(connection, cancellationToken);
                    await PostgresMaintenance.ExecuteAsync(connection, statement, cancellationToken);
                    var after = await PostgresMaintenance.DatabaseSizeAsync(connection, cancellationToken);
                    var note = passedOver.Summary(on.User, statement);
                    operations.Add(new MaintenanceOperation(statement, database, MaintenanceOperation.Done, clock.Elapsed.TotalSeconds, before, after, Note: note));
                    context.Log.Information("  {Statement} {Database}: {Before} -> {After} in {Duration}", statement, database, ByteSize.Format(before), ByteSize.Format(after), Duration.Format(clock.Elapsed));
                    if (note is not null)
                    {
                        context.Log.Information("  {Database}: {Note}", database, note);
                    }

                    skipped += passedOver.Count;
                    continue;
                }

                foreach (var table in await TableNames.ResolveAllAsync(connection, tables, database, cancellationToken))
                {
                    var tableClock = Stopwatch.StartNew();
                    var before = await TableSizeAsync(connection, table, cancellationToken);
                    await PostgresMaintenance.ExecuteAsync(connection, $"{statement} {table.Sql}", cancellationToken);
                    var after = await TableSizeAsync(connection, table, cancellationToken);
                    operations.Add(new MaintenanceOperation(statement, $"{database}:{table.Display}", MaintenanceOperation.Done, tableClock.Elapsed.TotalSeconds, before, after));
                    context.Log.Information("  {Statement} {Table}: {Before} -> {After} in {Duration}", statement, table.Display, ByteSize.Format(before), ByteSize.Format(after), Duration.Format(tableClock.Elapsed));
                }
            }
            catch (Exception ex) when (PostgresMaintenance.IsDatabaseError(ex) || ex is StepFailedException)
            {
                var message = ex is StepFailedException ? ex.Message : PostgresMaintenance.Explain(ex);
                failures.Add($"{database}: {message}");
                operations.Add(new MaintenanceOperation(statement, database, MaintenanceOperation.Failed, clock.Elapsed.TotalSeconds, Note: message));
                context.Log.Error("  {Statement} in {Database} failed: {Message}", statement, database, message);
            }
        }

        if (failures.Count > 0)
        {
            throw new StepFailedException($"{statement} failed in {failures.Count} of {names.Count} database(s): {string.Join("; ", failures)}");
        }

        return new StepOutputs()
            .Add("databases", names.ToList())
            .Add("size_before_bytes", operations.Sum(o => o.SizeBeforeBytes ?? 0))
            .Add("size_after_bytes", operations.Sum(o => o.SizeAfterBytes ?? 0))
            .Add("skipped_count", skipped)
            .Add("operations", MaintenanceOperation.ToOutputs(operations));
    }

    private static Task<long> TableSizeAsync(NpgsqlConnection connection, ResolvedTable table, CancellationToken cancellationToken) =>
        PostgresMaintenance.ScalarAsync<long>(connection, "SELECT pg_total_relation_size(@oid)", cancellationToken, ("oid", table.Oid));
}
