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
/// The guide's "VACUUM FULL on bloated tables", made safe to run unattended: the tables whose
/// bloat, read with the monitor's own measure, is over min_bloat_percent (set to the monitor's
/// alert level, maintenance repairs what monitoring flags), one at a time, each after a free-disk
/// check, each with lock_timeout so that a table someone else is using is left instead of queueing
/// all its readers behind the ACCESS EXCLUSIVE lock request. With method pg_repack (or auto) the
/// table is rebuilt online instead. A flagged table that is left (over max_table_mb, lock not
/// granted, not enough disk, pg_repack missing) is named with the reason, and the run ends with a warning.
/// </summary>
[Step("postgres.vacuum_full", "Rewrite the tables the monitor's bloat measure puts over the threshold, one at a time (VACUUM FULL with lock_timeout and a free-disk check, or pg_repack); name every table left and why")]
public sealed class PostgresVacuumFullStep : Step<PostgresVacuumFullOptions>
{
    private const double MiB = 1024 * 1024;

    public override async Task<StepPlan> PlanAsync(StepContext context, PostgresVacuumFullOptions options, CancellationToken cancellationToken)
    {
        var target = PostgresTarget.For(context, options);
        var databases = await PostgresMaintenance.DatabasesAsync(target, options, cancellationToken);
        var repack = LocatePgRepack(context, options);
        var actions = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"rewrite the tables whose bloat is over {options.MinBloatPercent:0.#}% (postgres.metrics's measure: tables of at least {options.MinPages} pages), one at a time, lock_timeout {PostgresMaintenance.Milliseconds(options.LockTimeout)} (a locked table is left and named), with {options.FreeSpaceFactor:0.#}x the table's size free on the server's disk before each"),
        };
        var candidates = new List<Dictionary<string, object?>>();
        foreach (var database in databases)
        {
            await using var connection = await target.WithDatabase(database).OpenAsync(cancellationToken);
            await PostgresMaintenance.SetTimeoutAsync(connection, "lock_timeout", options.LockTimeout, cancellationToken);
            var selection = await BloatCandidates.SelectAsync(connection, options, database, cancellationToken);
            var repackMissing = await RepackMissingAsync(connection, repack, database, cancellationToken);
            var disk = new ServerDisk(target, options.DataDirectory);
            foreach (var table in selection.Candidates)
            {
                var method = MethodFor(options.Method, repackMissing is null, table);
                var (folder, why) = await disk.FolderOfAsync(connection, table.Oid, cancellationToken);
                var needed = (long)(table.TotalBytes * options.FreeSpaceFactor);
                var blocker = Blocker(options, table, table.TotalBytes, method, repackMissing)
                    ?? (folder is null && !options.SkipFreeSpaceCheck ? FreeDiskUnknown(why) : null)
                    ?? (folder is not null && DiskSpace.AvailableIn(folder) is var available && available < needed ? NotEnoughDisk(folder, available, needed, options, table.TotalBytes) : null);
                var diskNote = folder is not null
                    ? $"{ByteSize.Format(needed)} needed free in {folder}, {ByteSize.Format(DiskSpace.AvailableIn(folder))} free now"
                    : $"free disk not checked ({why}; skip_free_space_check is set)";
                actions.Add(blocker is not null
                    ? $"leave {database}:{table.Describe()} as it is and warn: {blocker}"
                    : $"rewrite {database}:{table.Describe()} with {(method == BloatRepairMethod.PgRepack ? "pg_repack" : "VACUUM (FULL, ANALYZE)")}; {diskNote}");
                candidates.Add(new Dictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["database"] = database,
                    ["table"] = table.Display,
                    ["size_bytes"] = table.TotalBytes,
                    ["wasted_bytes"] = table.Bloat.WastedBytes,
                    ["bloat_percent"] = table.Bloat.Reported,
                    ["method"] = method == BloatRepairMethod.PgRepack ? "pg_repack" : "vacuum_full",
                    ["left_because"] = blocker,
                });
            }

            if (selection.Below > 0)
            {
                actions.Add(string.Create(CultureInfo.InvariantCulture, $"leave the {selection.Below} other measured table(s) of {database} alone: {options.MinBloatPercent:0.#}% bloat or less ({selection.Method})"));
            }
        }

        return StepPlan.Of(new StepOutputs().Add("databases", databases.ToList()).Add("candidates", candidates), [.. actions]);
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, PostgresVacuumFullOptions options, CancellationToken cancellationToken)
    {
        var target = PostgresTarget.For(context, options);
        var databases = await PostgresMaintenance.DatabasesAsync(target, options, cancellationToken);
        var repack = LocatePgRepack(context, options);
        var operations = new List<(MaintenanceOperation Operation, BloatCandidate Table)>();
        foreach (var database in databases)
        {
            await using var connection = await target.WithDatabase(database).OpenAsync(cancellationToken, commandTimeoutSeconds: 0);
            await PostgresMaintenance.SetTimeoutAsync(connection, "lock_timeout", options.LockTimeout, cancellationToken);
            var repackMissing = await RepackMissingAsync(connection, repack, database, cancellationToken);
            var selection = await BloatCandidates.SelectAsync(connection, options, database, cancellationToken);
            context.Log.Information("  {Database}: {Count} of {Tables} measured table(s) over {Percent}% bloat ({Method})", database, selection.Candidates.Count, selection.Candidates.Count + selection.Below, options.MinBloatPercent, selection.Method);
            var disk = new ServerDisk(target, options.DataDirectory);
            foreach (var table in selection.Candidates)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var method = MethodFor(options.Method, repackMissing is null, table);
                var operation = await RepairAsync(context, options, target.WithDatabase(database), connection, disk, table, method, repack, repackMissing, cancellationToken);
                operations.Add((operation, table));
            }
        }

        var failed = operations.Where(o => o.Operation.Status == MaintenanceOperation.Failed).ToList();
        if (failed.Count > 0)
        {
            throw new StepFailedException($"{failed.Count} bloated table(s) could not be rewritten: {string.Join("; ", failed.Select(o => $"{o.Operation.Target}: {o.Operation.Note}"))}");
        }

        var left = operations.Where(o => o.Operation.Status == MaintenanceOperation.Skipped).ToList();
        if (left.Count > 0)
        {
            context.Warn($"left {left.Count} bloated table(s) as they were, so their bloat alerts go on: {string.Join("; ", left.Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Operation.Target} ({o.Table.Bloat.Reported:0.#}% wasted): {o.Operation.Note}")))}");
        }

        var done = operations.Select(o => o.Operation).Where(o => o.Status == MaintenanceOperation.Done).ToList();
        return new StepOutputs()
            .Add("databases", databases.ToList())
            .Add("threshold_percent", options.MinBloatPercent)
            .Add("repaired", done.Select(o => o.Target).ToList())
            .Add("skipped", left.Select(o => new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["table"] = o.Operation.Target,
                ["bloat_percent"] = o.Table.Bloat.Reported,
                ["reason"] = o.Operation.Note,
            }).ToList())
            .Add("size_before_bytes", done.Sum(o => o.SizeBeforeBytes ?? 0))
            .Add("size_after_bytes", done.Sum(o => o.SizeAfterBytes ?? 0))
            .Add("freed_bytes", done.Sum(o => (o.SizeBeforeBytes ?? 0) - (o.SizeAfterBytes ?? 0)))
            .Add("operations", MaintenanceOperation.ToOutputs(operations.Select(o => o.Operation)));
    }

    private static async Task<MaintenanceOperation> RepairAsync(
        StepContext context, PostgresVacuumFullOptions options, PostgresTarget target, NpgsqlConnection connection, ServerDisk disk,
        BloatCandidate table, BloatRepairMethod method, string? repack, string? repackMissing, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var name = $"{target.Database}:{table.Display}";
        var operation = method == BloatRepairMethod.PgRepack ? "pg_repack" : "VACUUM FULL";
        MaintenanceOperation Skip(string reason, long? before = null)
        {
            context.Log.Warning("  left {Table} as it was: {Reason}", name, reason);
            return new MaintenanceOperation(operation, name, MaintenanceOperation.Skipped, clock.Elapsed.TotalSeconds, before, before, Note: reason);
        }

        long before;
        try
        {
            // pg_total_relation_size takes a read lock: a table someone holds exclusively is left here already.
            before = await PostgresMaintenance.ScalarAsync<long>(connection, "SELECT pg_total_relation_size(@oid)", cancellationToken, ("oid", table.Oid));
        }
        catch (PostgresException ex) when (PostgresMaintenance.IsLockTimeout(ex))
        {
            return Skip($"lock not granted: could not read its size within lock_timeout {PostgresMaintenance.Milliseconds(options.LockTimeout)}, another session holds an exclusive lock on it");
        }

        if (Blocker(options, table, before, method, repackMissing) is { } blocker)
        {
            return Skip(blocker, before);
        }

        var (folder, why) = await disk.FolderOfAsync(connection, table.Oid, cancellationToken);
        var needed = (long)(before * options.FreeSpaceFactor);
        if (folder is null && !options.SkipFreeSpaceCheck)
        {
            return Skip(FreeDiskUnknown(why), before);
        }

        if (folder is not null && DiskSpace.AvailableIn(folder) is var available && available < needed)
        {
            return Skip(NotEnoughDisk(folder, available, needed, options, before), before);
        }

        context.Log.Information("  {Operation} {Table}: {Size}, {Percent}% wasted ({Method})", operation, name, ByteSize.Format(before), table.Bloat.Reported, table.Method);
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
            return Skip($"lock not granted: no ACCESS EXCLUSIVE lock within lock_timeout {PostgresMaintenance.Milliseconds(options.LockTimeout)}, another session is using it", before);
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
            Note: string.Create(CultureInfo.InvariantCulture, $"{table.Bloat.Reported:0.#}% wasted before ({table.Method})"));
    }

    /// <summary>pg_repack with --no-kill-backend: a table it cannot lock within the wait is skipped, no session is cancelled.</summary>
    private static async Task<string?> RunPgRepackAsync(StepContext context, PostgresVacuumFullOptions options, PostgresTarget target, BloatCandidate table, string program, CancellationToken cancellationToken)
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

    /// <summary>Why a flagged table is left before any disk check: pg_repack asked for but missing, or too large for VACUUM FULL.</summary>
    private static string? Blocker(PostgresVacuumFullOptions options, BloatCandidate table, long totalBytes, BloatRepairMethod method, string? repackMissing)
    {
        if (method == BloatRepairMethod.PgRepack && repackMissing is not null)
        {
            return $"pg_repack missing: {repackMissing}";
        }

        if (method == BloatRepairMethod.VacuumFull && options.MaxTableMb > 0 && totalBytes > options.MaxTableMb * MiB)
        {
            var online = options.Method == BloatRepairMethod.Auto && repackMissing is not null
                ? $"pg_repack, which would rebuild it online, is missing ({repackMissing})"
                : table.HasKey ? "use method: pg_repack to rebuild it online" : "pg_repack cannot rebuild it either (no primary key or NOT NULL unique index)";
            return $"over max_table_mb: {ByteSize.Format(totalBytes)} is more than max_table_mb {options.MaxTableMb}, and VACUUM FULL would lock it for too long; {online}, or raise max_table_mb for a maintenance window";
        }

        return null;
    }

    private static string FreeDiskUnknown(string? why) =>
        $"not enough disk known: the free disk on the server cannot be checked ({why}); set data_directory, run runbook on the database server, or set skip_free_space_check: true";

    private static string NotEnoughDisk(string folder, long available, long needed, PostgresVacuumFullOptions options, long size) =>
        $"not enough disk: {ByteSize.Format(available)} free in {folder}, the rewrite needs {ByteSize.Format(needed)} ({options.FreeSpaceFactor:0.#}x {ByteSize.Format(size)})";

    private static BloatRepairMethod MethodFor(BloatRepairMethod chosen, bool hasRepack, BloatCandidate table) => chosen switch
    {
        BloatRepairMethod.PgRepack => BloatRepairMethod.PgRepack,
        BloatRepairMethod.Auto when hasRepack && table.HasKey => BloatRepairMethod.PgRepack,
        _ => BloatRepairMethod.VacuumFull,
    };

    /// <summary>The pg_repack program, or null when the method does not use it or it is not installed (the tables that need it are then left, named).</summary>
    private static string? LocatePgRepack(StepContext context, PostgresVacuumFullOptions options)
    {
        if (options.Method == BloatRepairMethod.VacuumFull)
        {
            return null;
        }

        try
        {
            return PostgresTools.Locate("pg_repack", options.PgRepack, context.Environment);
        }
        catch (StepFailedException)
        {
            return null;
        }
    }

    /// <summary>Why pg_repack cannot be used in this database, or null when it can.</summary>
    private static async Task<string?> RepackMissingAsync(NpgsqlConnection connection, string? program, string database, CancellationToken cancellationToken)
    {
        if (program is null)
        {
            return "pg_repack is not installed (Debian: apt-get install postgresql-<version>-repack, then CREATE EXTENSION pg_repack in the database; or set the pg_repack option to its path)";
        }

        var installed = await PostgresMaintenance.ScalarAsync<bool>(connection, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_repack')", cancellationToken);
        return installed ? null : $"the pg_repack extension is not installed in database {database} (CREATE EXTENSION pg_repack there)";
    }
}
