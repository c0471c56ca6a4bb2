using System.Diagnostics;
using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Processes;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Files;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;
using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Maintenance;

/// <summary>
/// The guide's "VACUUM FULL on bloated tables", made safe to run unattended: only tables over the
/// bloat thresholds, one at a time, each after a free-disk check, each with lock_timeout so that a
/// table someone else is using is skipped instead of queueing all its readers behind the ACCESS
/// EXCLUSIVE lock request. With method pg_repack (or auto) the table is rebuilt online instead.
/// </summary>
[Step("postgres.vacuum_full", "Rewrite tables over the bloat threshold one at a time (VACUUM FULL with lock_timeout and a free-disk check, or pg_repack)")]
public sealed class PostgresVacuumFullStep : Step<PostgresVacuumFullOptions>
{
    private const double MiB = 1024 * 1024;

    public override async Task<StepPlan> PlanAsync(StepContext context, PostgresVacuumFullOptions options, CancellationToken cancellationToken)
    {
        var target = PostgresTarget.For(context, options);
        var databases = await PostgresMaintenance.DatabasesAsync(target, options, cancellationToken);
        var repack = options.Method == BloatRepairMethod.VacuumFull ? null : LocatePgRepack(context, options);
        var actions = new List<string>
        {
            $"rewrite tables with at least {options.MinBloatPercent:0.#}% and {options.MinWastedMb:0.#} MiB wasted, one at a time, lock_timeout {PostgresMaintenance.Milliseconds(options.LockTimeout)} (a locked table is skipped), {options.FreeSpaceFactor:0.#}x the table's size free on the server's disk before each",
        };
        var candidates = new List<Dictionary<string, object?>>();
        foreach (var database in databases)
        {
            await using var connection = await target.WithDatabase(database).OpenAsync(cancellationToken);
            await PostgresMaintenance.SetTimeoutAsync(connection, "lock_timeout", options.LockTimeout, cancellationToken);
            var decisions = await DecideAsync(connection, options, database, cancellationToken);
            var hasRepack = repack is not null && await HasRepackExtensionAsync(connection, cancellationToken);
            if (options.Method == BloatRepairMethod.PgRepack && !hasRepack)
            {
                actions.Add($"fail: {RepackMissing(repack, database)}");
            }

            var disk = new ServerDisk(target, options.DataDirectory);
            foreach (var decision in decisions.Where(d => d.Candidate))
            {
                var table = decision.Table;
                var method = MethodFor(options.Method, hasRepack, table);
                var (folder, why) = await disk.FolderOfAsync(connection, table.Oid, cancellationToken);
                var needed = (long)(table.TotalBytes * options.FreeSpaceFactor);
                var diskNote = folder is not null
                    ? $"needs {ByteSize.Format(needed)} free in {folder}, {ByteSize.Format(DiskSpace.AvailableIn(folder))} free now"
                    : options.SkipFreeSpaceCheck ? $"free disk not checked ({why}; skip_free_space_check is set)" : $"skip it: free disk cannot be checked ({why}); set data_directory, run runbook on the database server, or set skip_free_space_check: true";
                var limit = TooLarge(options, table, method);
                actions.Add(limit is not null
                    ? $"skip {database}:{table.Describe()}: {limit}"
                    : $"{(method == BloatRepairMethod.PgRepack ? "pg_repack" : "VACUUM (FULL, ANALYZE)")} {database}:{table.Describe()}; {diskNote}");
                candidates.Add(new Dictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["database"] = database,
                    ["table"] = table.Display,
                    ["size_bytes"] = table.TotalBytes,
                    ["wasted_bytes"] = table.WastedBytes,
                    ["bloat_percent"] = Math.Round(table.Percent, 1),
                    ["method"] = method == BloatRepairMethod.PgRepack ? "pg_repack" : "vacuum_full",
                });
            }

            foreach (var decision in decisions.Where(d => !d.Candidate && d.Table.Unknown is not null))
            {
                actions.Add($"leave {database}:{decision.Table.Describe()}");
            }

            var below = decisions.Count(d => !d.Candidate && d.Table.Unknown is null);
            if (below > 0)
            {
                actions.Add($"leave {below} table(s) of {database} below the thresholds alone");
            }
        }

        return StepPlan.Of(new StepOutputs().Add("databases", databases.ToList()).Add("candidates", candidates), [.. actions]);
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, PostgresVacuumFullOptions options, CancellationToken cancellationToken)
    {
        var target = PostgresTarget.For(context, options);
        var databases = await PostgresMaintenance.DatabasesAsync(target, options, cancellationToken);
        var repack = options.Method == BloatRepairMethod.VacuumFull ? null : LocatePgRepack(context, options);
        var operations = new List<MaintenanceOperation>();
        foreach (var database in databases)
        {
            await using var connection = await target.WithDatabase(database).OpenAsync(cancellationToken, commandTimeoutSeconds: 0);
            await PostgresMaintenance.SetTimeoutAsync(connection, "lock_timeout", options.LockTimeout, cancellationToken);
            var hasRepack = repack is not null && await HasRepackExtensionAsync(connection, cancellationToken);
            if (options.Method == BloatRepairMethod.PgRepack && !hasRepack)
            {
                throw new StepFailedException(RepackMissing(repack, database));
            }

            var decisions = await DecideAsync(connection, options, database, cancellationToken);
            var candidates = decisions.Where(d => d.Candidate).Select(d => d.Table).ToList();
            context.Log.Information("  {Database}: {Count} of {Tables} table(s) over {Percent}% and {Wasted} MiB wasted", database, candidates.Count, decisions.Count, options.MinBloatPercent, options.MinWastedMb);
            var disk = new ServerDisk(target, options.DataDirectory);
            foreach (var table in candidates)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var method = MethodFor(options.Method, hasRepack, table);
                var operation = await RepairAsync(context, options, target.WithDatabase(database), connection, disk, table, method, repack, cancellationToken);
                operations.Add(operation);
            }
        }

        var failed = operations.Where(o => o.Status == MaintenanceOperation.Failed).ToList();
        if (failed.Count > 0)
        {
            throw new StepFailedException($"{failed.Count} bloated table(s) could not be rewritten: {string.Join("; ", failed.Select(o => $"{o.Target}: {o.Note}"))}");
        }

        var done = operations.Where(o => o.Status == MaintenanceOperation.Done).ToList();
        return new StepOutputs()
            .Add("databases", databases.ToList())
            .Add("repaired", done.Select(o => o.Target).ToList())
            .Add("skipped", operations.Where(o => o.Status == MaintenanceOperation.Skipped).Select(o => new Dictionary<string, object?>(StringComparer.Ordinal) { ["table"] = o.Target, ["reason"] = o.Note }).ToList())
            .Add("size_before_bytes", done.Sum(o => o.SizeBeforeBytes ?? 0))
            .Add("size_after_bytes", done.Sum(o => o.SizeAfterBytes ?? 0))
            .Add("freed_bytes", done.Sum(o => (o.SizeBeforeBytes ?? 0) - (o.SizeAfterBytes ?? 0)))
            .Add("operations", MaintenanceOperation.ToOutputs(operations));
    }

    private static async Task<MaintenanceOperation> RepairAsync(
        StepContext context, PostgresVacuumFullOptions options, PostgresTarget target, NpgsqlConnection connection, ServerDisk disk,
        TableBloat table, BloatRepairMethod method, string? repack, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var name = $"{target.Database}:{table.Display}";
        var operation = method == BloatRepairMethod.PgRepack ? "pg_repack" : "VACUUM FULL";
        MaintenanceOperation Skip(string reason, long? before = null)
        {
            context.Log.Warning("  skipped {Table}: {Reason}", name, reason);
            return new MaintenanceOperation(operation, name, MaintenanceOperation.Skipped, clock.Elapsed.TotalSeconds, before, before, Note: reason);
        }

        long before;
        try
        {
            // pg_total_relation_size takes a read lock: a table someone holds exclusively is skipped here already.
            before = await PostgresMaintenance.ScalarAsync<long>(connection, "SELECT pg_total_relation_size(@oid)", cancellationToken, ("oid", table.Oid));
        }
        catch (PostgresException ex) when (PostgresMaintenance.IsLockTimeout(ex))
        {
            return Skip($"could not read its size within lock_timeout {PostgresMaintenance.Milliseconds(options.LockTimeout)}: another session holds an exclusive lock on it");
        }

        var tooLarge = TooLarge(options, table with { TotalBytes = before }, method);
        if (tooLarge is not null)
        {
            return Skip(tooLarge, before);
        }

        var (folder, why) = await disk.FolderOfAsync(connection, table.Oid, cancellationToken);
        var needed = (long)(before * options.FreeSpaceFactor);
        if (folder is null && !options.SkipFreeSpaceCheck)
        {
            return Skip($"free disk on the server cannot be checked ({why}): set data_directory, run runbook on the database server, or set skip_free_space_check: true", before);
        }

        if (folder is not null && DiskSpace.AvailableIn(folder) is var available && available < needed)
        {
            return Skip($"not enough free disk in {folder}: {ByteSize.Format(available)} free, the rewrite needs {ByteSize.Format(needed)} ({options.FreeSpaceFactor:0.#}x {ByteSize.Format(before)})", before);
        }

        context.Log.Information("  {Operation} {Table}: {Size}, {Percent}% wasted ({Method})", operation, name, ByteSize.Format(before), Math.Round(table.Percent, 1), table.Method);
        try
        {
            if (method == BloatRepairMethod.PgRepack)
            {
                var failure = await RunPgRepackAsync(context, options, target, table, repack!, cancellationToken);
                if (failure is not null)
                {
                    return new MaintenanceOperation(operation, name, MaintenanceOperation.Failed, clock.Elapsed.TotalSeconds, before, Note: failure);
                }
            }
            else
            {
                await PostgresMaintenance.ExecuteAsync(connection, $"VACUUM (FULL, ANALYZE) {table.Sql}", cancellationToken);
            }
        }
        catch (PostgresException ex) when (PostgresMaintenance.IsLockTimeout(ex))
        {
            return Skip($"could not get its ACCESS EXCLUSIVE lock within lock_timeout {PostgresMaintenance.Milliseconds(options.LockTimeout)}: another session is using it; left as it was", before);
        }
        catch (Exception ex) when (PostgresMaintenance.IsDatabaseError(ex))
        {
            var message = PostgresMaintenance.Explain(ex);
            context.Log.Error("  {Operation} {Table} failed: {Message}", operation, name, message);
            return new MaintenanceOperation(operation, name, MaintenanceOperation.Failed, clock.Elapsed.TotalSeconds, before, Note: message);
        }

        var after = await PostgresMaintenance.ScalarAsync<long>(connection, "SELECT pg_total_relation_size(@oid)", cancellationToken, ("oid", table.Oid));
        context.Log.Information("  {Table}: {Before} -> {After} in {Duration}", name, ByteSize.Format(before), ByteSize.Format(after), Duration.Format(clock.Elapsed));
        return new MaintenanceOperation(operation, name, MaintenanceOperation.Done, clock.Elapsed.TotalSeconds, before, after,
            Note: string.Create(CultureInfo.InvariantCulture, $"{table.Percent:0.#}% wasted before ({table.Method})"));
    }

    /// <summary>pg_repack with --no-kill-backend: a table it cannot lock within the wait is skipped, no session is cancelled.</summary>
    private static async Task<string?> RunPgRepackAsync(StepContext context, PostgresVacuumFullOptions options, PostgresTarget target, TableBloat table, string program, CancellationToken cancellationToken)
    {
        var wait = Math.Max(1, (int)Math.Ceiling(options.LockTimeout.TotalSeconds));
        var spec = new ProcessSpec(program,
        [
            "--no-password",
            "--dbname=" + target.Database,
            "--table=" + table.Sql,
            "--wait-timeout=" + wait.ToString(CultureInfo.InvariantCulture),
            "--no-kill-backend",
        ])
        { Environment = target.ClientEnvironment() };
        var result = await ChildProcess.RunAsync(spec, cancellationToken, onErrorLine: line => context.Log.Information("  pg_repack: {Line}", line));
        if (result.ExitCode == 0)
        {
            return null;
        }

        return $"pg_repack exited with {result.ExitCode}: {result.ErrorSummary(lines: 3)}";
    }

    private static async Task<List<(TableBloat Table, bool Candidate)>> DecideAsync(NpgsqlConnection connection, PostgresVacuumFullOptions options, string database, CancellationToken cancellationToken)
    {
        var minWasted = options.MinWastedMb * MiB;
        var survey = await BloatSurvey.MeasureAsync(connection, minWasted, cancellationToken);
        if (options.Tables.Count > 0)
        {
            var wanted = await TableNames.ResolveAllAsync(connection, options.Tables, database, cancellationToken);
            survey = [.. survey.Where(t => wanted.Any(w => w.Oid == t.Oid))];
        }

        return [.. survey.Select(t => (t, t.Unknown is null && t.WastedBytes > 0 && t.WastedBytes >= minWasted && t.Percent >= options.MinBloatPercent))];
    }

    private static string? TooLarge(PostgresVacuumFullOptions options, TableBloat table, BloatRepairMethod method) =>
        method == BloatRepairMethod.VacuumFull && options.MaxTableMb > 0 && table.TotalBytes > options.MaxTableMb * MiB
            ? $"{ByteSize.Format(table.TotalBytes)} is over max_table_mb {options.MaxTableMb}: VACUUM FULL would lock it for too long; use method: pg_repack, or raise max_table_mb for a maintenance window"
            : null;

    private static BloatRepairMethod MethodFor(BloatRepairMethod chosen, bool hasRepack, TableBloat table) => chosen switch
    {
        BloatRepairMethod.PgRepack => BloatRepairMethod.PgRepack,
        BloatRepairMethod.Auto when hasRepack && table.HasKey => BloatRepairMethod.PgRepack,
        _ => BloatRepairMethod.VacuumFull,
    };

    private static string? LocatePgRepack(StepContext context, PostgresVacuumFullOptions options)
    {
        try
        {
            return PostgresTools.Locate("pg_repack", options.PgRepack, context.Environment);
        }
        catch (StepFailedException) when (options.Method == BloatRepairMethod.Auto)
        {
            return null;
        }
        catch (StepFailedException)
        {
            throw new StepFailedException("method is pg_repack but pg_repack is not installed: install it (Debian: apt-get install postgresql-<version>-repack, then CREATE EXTENSION pg_repack in the database), set the pg_repack option to its path, or use method: auto / vacuum_full");
        }
    }

    private static async Task<bool> HasRepackExtensionAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        await PostgresMaintenance.ScalarAsync<bool>(connection, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_repack')", cancellationToken);

    private static string RepackMissing(string? program, string database) => program is null
        ? "method is pg_repack but pg_repack is not installed"
        : $"method is pg_repack but the pg_repack extension is not installed in database {database}: CREATE EXTENSION pg_repack there, or use method: auto / vacuum_full";
}
