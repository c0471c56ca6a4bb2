using System.Globalization;
using ExcelMedical.DbRunbook.Engine.IO;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Mongo;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Restore;
using ExcelMedical.DbRunbook.Steps.Infrastructure.S3;
using ExcelMedical.DbRunbook.Steps.SharedOptions;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.Steps.Restore;

/// <summary>
/// Proves the newest verified backup can be brought back: restores its PostgreSQL dump and MongoDB
/// archive (local, or the S3 copy) into scratch databases, compares every table's rows and content
/// checksum and every collection's documents and indexes with what the backup run recorded at dump
/// time, records how long recovery took (RTO) and how old the backup was (RPO), drops the scratch
/// databases, and fails naming every table that differs.
/// </summary>
[Step("restore.drill", "Restore the newest verified backup into scratch databases, compare every table and collection with the backup's records, report RTO and RPO")]
public sealed class RestoreDrillStep : Step<RestoreDrillOptions>
{
    private const int DifferencesInMessage = 10;

    public override Task<StepPlan> PlanAsync(StepContext context, RestoreDrillOptions options, CancellationToken cancellationToken)
    {
        var folder = context.Runs.FolderOf(options.BackupPlaybook);
        var stamp = Stamp(context);
        var actions = new List<string>();
        try
        {
            var backup = DrillBackup.Choose(context.Runs.Runs(options.BackupPlaybook), options, folder);
            actions.Add($"drill the backup of run {backup.Run.Id}, taken {backup.Taken:yyyy-MM-dd HH:mm:ss zzz} (the newest verified one in {folder}); RPO now {Duration.Format(context.Time.GetUtcNow() - backup.Taken)}");
            actions.Add($"PostgreSQL: {Where(backup.Postgres, options)}; read it completely, restore it into the new database {options.ScratchPrefix}{stamp}, compare every table's rows{(backup.PostgresFigures.Checksums is null ? string.Empty : " and content checksum")} with the run's records");
            if (backup.Mongo is not null)
            {
                actions.Add($"MongoDB: {Where(backup.Mongo, options)}; read it completely, restore it into the new database {options.ScratchPrefix}{stamp}, compare every collection's documents and indexes with the run's records");
            }
        }
        catch (StepFailedException ex)
        {
            actions.Add($"find no backup to drill: {ex.Message}");
        }

        actions.Add(options.KeepScratch ? "keep the scratch databases" : "drop the scratch databases afterwards, whatever the outcome");
        if (options.Report is not null)
        {
            actions.Add($"write {context.ResolvePath(options.Report)}");
        }

        return Task.FromResult(StepPlan.Of([.. actions]));
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, RestoreDrillOptions options, CancellationToken cancellationToken)
    {
        var report = new DrillReport { Started = context.Time.GetUtcNow(), MaxBackupAge = options.MaxBackupAge, MaxRestoreTime = options.MaxRestoreTime };
        var stamp = Stamp(context);
        try
        {
            var backup = DrillBackup.Choose(context.Runs.Runs(options.BackupPlaybook), options, context.Runs.FolderOf(options.BackupPlaybook));
            report.Backup = backup;
            report.BackupAge = report.Started - backup.Taken;
            context.Log.Information("  drilling the backup of run {Run}, taken {Taken:yyyy-MM-dd HH:mm:ss zzz} ({Age} ago){PassedOver}", backup.Run.Id, backup.Taken, Duration.Format(report.BackupAge.Value), backup.PassedOver.Count == 0 ? string.Empty : $"; {backup.PassedOver.Count} newer run(s) passed over");
            if (options.MaxBackupAge is { } maxAge && report.BackupAge > maxAge)
            {
                report.Problems.Add($"the newest verified backup is {Duration.Format(report.BackupAge.Value)} old, more than max_backup_age {Duration.Format(maxAge)} (RPO objective missed)");
            }

            await DrillPostgresAsync(context, options, backup, report.Postgres, stamp, cancellationToken);
            if (backup.Mongo is not null)
            {
                report.Mongo = new DrillPart("MongoDB");
                await DrillMongoAsync(context, options, backup, report.Mongo, stamp, cancellationToken);
            }

            if (options.MaxRestoreTime is { } maxTime && report.RecoveryTime > maxTime)
            {
                report.Problems.Add($"fetching, verifying and restoring took {Duration.Format(report.RecoveryTime)}, more than max_restore_time {Duration.Format(maxTime)} (RTO objective missed)");
            }
        }
        catch (StepFailedException ex)
        {
            report.Problems.Add(ex.Message);
        }
        finally
        {
            if (options.Report is not null)
            {
                context.Files.WriteText(context.ResolvePath(options.Report), report.Render(context.Time.GetLocalNow()));
            }
        }

        foreach (var verdict in report.Verdicts)
        {
            if (verdict.Ok)
            {
                context.Log.Information("  {Kind} {Name}: {Verdict} ({Restored})", verdict.Kind, NameText.Printable(verdict.Name), verdict.Verdict, verdict.Restored);
            }
            else
            {
                context.Log.Warning("  {Kind} {Name}: {Verdict}: recorded {Recorded}, restored {Restored}", verdict.Kind, NameText.Printable(verdict.Name), verdict.Verdict, verdict.Recorded, verdict.Restored);
            }
        }

        var reportPath = options.Report is null ? null : context.ResolvePath(options.Report);
        if (!report.Passed)
        {
            var differences = report.Differences.ToList();
            var shown = string.Join("; ", differences.Take(DifferencesInMessage));
            var more = differences.Count > DifferencesInMessage ? $"; and {differences.Count - DifferencesInMessage} more" : string.Empty;
            var which = report.Backup is null ? string.Empty : $" of the backup of run {report.Backup.Run.Id} ({report.Backup.Taken:yyyy-MM-dd HH:mm})";
            throw new StepFailedException($"restore drill{which} FAILED: {shown}{more}{(reportPath is null ? string.Empty : $" (report: {reportPath})")}");
        }

        var backupRun = report.Backup!;
        context.Log.Information("  restore drill PASSED: {Tables} table(s) and {Collections} collection(s) identical to the backup's records; RTO {Rto}, RPO {Rpo}", report.Postgres.Verdicts.Count, report.Mongo?.Verdicts.Count ?? 0, Duration.Format(report.RecoveryTime), Duration.Format(report.BackupAge!.Value));
        var outputs = new StepOutputs()
            .Add("passed", true)
            .Add("backup_run", backupRun.Run.Id)
            .Add("backup_taken", backupRun.Taken.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture))
            .Add("rpo_seconds", Math.Round(report.BackupAge.Value.TotalSeconds, 3))
            .Add("rpo", Duration.Format(report.BackupAge.Value))
            .Add("rto_seconds", Math.Round(report.RecoveryTime.TotalSeconds, 3))
            .Add("rto", Duration.Format(report.RecoveryTime))
            .Add("postgres_file", report.Postgres.File)
            .Add("postgres_source", report.Postgres.Origin)
            .Add("postgres_restore_seconds", Math.Round(report.Postgres.RestoreSeconds, 3))
            .Add("tables", report.Postgres.Verdicts.Count)
            .Add("collections", report.Mongo?.Verdicts.Count ?? 0)
            .Add("passed_over", backupRun.PassedOver.Count)
            .Add("verdicts", report.Verdicts.ToDictionary(v => v.Name, v => (object?)v.Verdict, StringComparer.Ordinal));
        if (report.Mongo is not null)
        {
            outputs
                .Add("mongo_file", report.Mongo.File)
                .Add("mongo_source", report.Mongo.Origin)
                .Add("mongo_restore_seconds", Math.Round(report.Mongo.RestoreSeconds, 3));
        }

        if (reportPath is not null)
        {
            outputs.Add("report", reportPath);
        }

        return outputs;
    }

    private static async Task DrillPostgresAsync(StepContext context, RestoreDrillOptions options, DrillBackup backup, DrillPart part, string stamp, CancellationToken cancellationToken)
    {
        var server = PostgresTarget.From(context.Connections.Get(options.PostgresConnection));
        var pgRestore = PostgresTools.Locate("pg_restore", options.PgRestore, context.Environment);
        var restorer = new PostgresRestorer(context, server, options.MaintenanceDatabase);
        var scratch = await ScratchNameAsync(options.ScratchPrefix + stamp, async name => (await restorer.InspectAsync(name, cancellationToken)).Exists);
        PostgresRestorer.RefuseProduction(server, scratch, confirmed: false);

        using var fetched = await BackupSource.FetchAsync(context, Request("PostgreSQL dump", backup.Postgres, backup, options), cancellationToken);
        part.File = fetched.Path;
        part.Origin = fetched.Origin;
        part.DownloadSeconds = fetched.Download?.Seconds ?? 0;
        var (findings, verifySeconds) = await PostgresRestoreStep.VerifyAsync(context, pgRestore, fetched, scratch, cancellationToken);
        part.Sha256 = findings.Sha256;
        part.VerifySeconds = verifySeconds;

        await restorer.CreateAsync(scratch, cancellationToken);
        part.Scratch = scratch;
        try
        {
            part.RestoreSeconds = await restorer.RestoreAsync(fetched, scratch, new PgRestoreSettings(pgRestore, options.NoOwner, options.Jobs), findings.Sha256, cancellationToken);
            var figures = await restorer.MeasureAsync(scratch, checksums: backup.PostgresFigures.Checksums is not null, cancellationToken);
            part.Verdicts.AddRange(DrillVerdicts.Tables(backup.PostgresFigures, figures));
        }
        finally
        {
            if (!options.KeepScratch)
            {
                part.Dropped = await DropQuietlyAsync(context, scratch, token => restorer.DropAsync(scratch, token));
            }
        }
    }

    private static async Task DrillMongoAsync(StepContext context, RestoreDrillOptions options, DrillBackup backup, DrillPart part, string stamp, CancellationToken cancellationToken)
    {
        var connection = context.Connections.Get(options.MongoConnection);
        var timeout = options.ServerSelectionTimeout;
        var probe = MongoTarget.From(connection, options.ScratchPrefix + stamp, context.Secrets);
        using var client = probe.CreateClient(timeout);
        await probe.PingAsync(client, timeout, context.Secrets, cancellationToken);
        var existing = await Call(probe, client, context, timeout, "listing the databases", async () => (await (await client.ListDatabaseNamesAsync(cancellationToken)).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal));
        var scratch = await ScratchNameAsync(probe.Database, name => Task.FromResult(existing.Contains(name)));
        var server = MongoTarget.From(connection, scratch, context.Secrets);
        MongoRestorer.RefuseProduction(server, options.MongoConnection, confirmed: false);
        var restorer = new MongoRestorer(context, server, client, timeout);

        using var fetched = await BackupSource.FetchAsync(context, Request("MongoDB archive", backup.Mongo!, backup, options), cancellationToken);
        part.File = fetched.Path;
        part.Origin = fetched.Origin;
        part.DownloadSeconds = fetched.Download?.Seconds ?? 0;
        var (findings, verifySeconds) = await MongoRestoreStep.VerifyAsync(context, fetched, scratch, cancellationToken);
        part.Sha256 = findings.Sha256;
        part.VerifySeconds = verifySeconds;
        var recordedDatabase = backup.MongoFigures?.Database;
        var sourceDatabase = recordedDatabase is not null && findings.Collections.Any(c => c.Database == recordedDatabase) ? recordedDatabase : null;
        var (database, collections) = MongoRestorer.Select(findings, sourceDatabase, fetched.Path);

        part.Scratch = scratch;
        try
        {
            var target = client.GetDatabase(scratch);
            var result = await restorer.RestoreAsync(fetched.Path, database, collections, target, drop: false, options.BatchSize, cancellationToken);
            part.RestoreSeconds = result.Seconds;
            var counts = await restorer.CountAsync(target, collections, cancellationToken);
            var indexes = await restorer.IndexesAsync(target, collections, cancellationToken);
            var expected = collections.Where(c => c.Type != "view").ToDictionary(c => c.Name, MongoRestorer.ExpectedIndexes, StringComparer.Ordinal);
            part.Verdicts.AddRange(DrillVerdicts.Collections(backup.MongoFigures!, counts, expected, indexes));
        }
        finally
        {
            if (!options.KeepScratch)
            {
                part.Dropped = await DropQuietlyAsync(context, scratch, token => restorer.DropDatabaseAsync(scratch, token));
            }
        }
    }

    /// <summary>The recorded dump as a restore source: the local file, else its S3 copy, with the SHA-256 the run verified.</summary>
    private static SourceRequest Request(string what, RecordedDump dump, DrillBackup backup, RestoreDrillOptions options)
    {
        S3SourceOptions? s3 = null;
        if (dump.HasS3Copy)
        {
            s3 = new S3SourceOptions
            {
                Bucket = options.S3?.Bucket is { Length: > 0 } bucket ? bucket : dump.S3Bucket,
                Key = dump.S3Key,
                ServiceUrl = options.S3?.ServiceUrl,
                Region = options.S3?.Region,
                AccessKey = options.S3?.AccessKey,
                SecretKey = options.S3?.SecretKey,
                ForcePathStyle = options.S3?.ForcePathStyle ?? false,
            };
        }

        var known = dump.Sha256 is null ? null : new ExpectedHash(dump.Sha256, $"backup run {backup.Run.Id}");
        return new SourceRequest(what, dump.File, null, "*", s3, options.From, options.DownloadFolder, known);
    }

    private static async Task<string> ScratchNameAsync(string name, Func<string, Task<bool>> exists)
    {
        for (var attempt = 1; attempt <= 9; attempt++)
        {
            var candidate = attempt == 1 ? name : $"{name}_{attempt}";
            if (!await exists(candidate))
            {
                return candidate;
            }
        }

        throw new StepFailedException($"scratch databases {name} to {name}_9 all exist: drop the leftovers of earlier drills (or another drill is running)");
    }

    /// <summary>Drops a scratch database even when the drill was cancelled; a failure is logged, never hides the drill's outcome.</summary>
    private static async Task<bool> DropQuietlyAsync(StepContext context, string scratch, Func<CancellationToken, Task> drop)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await drop(timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is StepFailedException or Npgsql.NpgsqlException or MongoException or TimeoutException or OperationCanceledException)
        {
            context.Log.Warning("  could not drop the scratch database {Scratch}: {Error}; drop it by hand", scratch, ex.Message);
            return false;
        }
    }

    private static async Task<T> Call<T>(MongoTarget target, IMongoClient client, StepContext context, TimeSpan timeout, string doing, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException)
        {
            throw target.Failure(client, ex, doing, timeout, context.Secrets);
        }
    }

    private static string Where(RecordedDump dump, RestoreDrillOptions options) =>
        options.From != RestoreFrom.S3 && dump.IsLocal ? $"{dump.File} (local)" : $"s3://{options.S3?.Bucket ?? dump.S3Bucket}/{dump.S3Key} (downloaded, SHA-256 checked)";

    private static string Stamp(StepContext context) => context.Run.Started.ToString("yyyyMMdd_HHmmss", CultureInfo.InvariantCulture);
}
