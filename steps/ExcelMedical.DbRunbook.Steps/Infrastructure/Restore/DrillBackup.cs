using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.State;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Restore;
using ExcelMedical.DbRunbook.Steps.SharedOptions;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Restore;

/// <summary>One dump file of a backup run: where it was written, its verified SHA-256, and its S3 copy if one was recorded.</summary>
internal sealed record RecordedDump(string File, string? Sha256, string? S3Bucket, string? S3Key, DateTimeOffset Taken)
{
    public bool IsLocal => System.IO.File.Exists(File) || Directory.Exists(File);

    public bool HasS3Copy => S3Bucket is not null && S3Key is not null;
}

/// <summary>What the backup run recorded about the PostgreSQL tables at dump time.</summary>
internal sealed record PostgresFigures(IReadOnlyDictionary<string, long>? DumpRows, IReadOnlyDictionary<string, string>? Checksums, string? Database)
{
    public bool IsEmpty => DumpRows is null && Checksums is null;

    public IEnumerable<string> Tables => (DumpRows?.Keys ?? []).Union(Checksums?.Keys ?? [], StringComparer.Ordinal);

    /// <summary>The rows recorded for a table: counted in the dump by the verify step, else the count part of the "rows:sum" checksum.</summary>
    public long? RowsOf(string table) =>
        DumpRows is not null && DumpRows.TryGetValue(table, out var rows) ? rows
        : Checksums is not null && Checksums.TryGetValue(table, out var checksum) && long.TryParse(checksum.Split(':')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var fromChecksum) ? fromChecksum
        : null;
}

/// <summary>What the backup run recorded about the MongoDB collections at dump time.</summary>
internal sealed record MongoFigures(IReadOnlyDictionary<string, long>? Dumped, IReadOnlyDictionary<string, long>? Verified, string? Database);

/// <summary>The backup a drill restores: the newest run whose dumps were verified and whose files can still be reached.</summary>
internal sealed record DrillBackup(
    StoredRun Run,
    DateTimeOffset Taken,
    RecordedDump Postgres,
    PostgresFigures PostgresFigures,
    RecordedDump? Mongo,
    MongoFigures? MongoFigures,
    IReadOnlyList<string> PassedOver)
{
    /// <summary>Picks the newest usable run, saying why each newer one was passed over.</summary>
    public static DrillBackup Choose(IReadOnlyList<StoredRun> runs, RestoreDrillOptions options, string recordsFolder)
    {
        if (runs.Count == 0)
        {
            throw new StepFailedException($"no run of the playbook '{options.BackupPlaybook}' is recorded in {recordsFolder}: run the backup first (or set backup_playbook)");
        }

        var passedOver = new List<string>();
        foreach (var run in runs)
        {
            var why = Unusable(run, options, out var chosen);
            if (chosen is not null)
            {
                return chosen with { PassedOver = passedOver };
            }

            passedOver.Add($"run {run.Id} ({run.Started:yyyy-MM-dd HH:mm:ss zzz}): {why}");
        }

        throw new StepFailedException($"none of the {runs.Count} recorded run(s) of '{options.BackupPlaybook}' is a verified backup that can still be reached: {string.Join("; ", passedOver.Take(5))}{(passedOver.Count > 5 ? $"; and {passedOver.Count - 5} more" : string.Empty)}");
    }

    private static string? Unusable(StoredRun run, RestoreDrillOptions options, out DrillBackup? chosen)
    {
        chosen = null;
        if (run.DryRun)
        {
            return "a dry run";
        }

        if (run.Status == RunStatus.Running)
        {
            return "still running";
        }

        var pgDump = run.Step(options.PgDumpStep);
        var pgVerify = run.Step(options.PgVerifyStep);
        if (pgDump is null || !pgDump.Succeeded || pgDump.Outputs.Text("file") is not { } pgFile)
        {
            return $"no PostgreSQL dump (step '{options.PgDumpStep}' {Status(pgDump)})";
        }

        if (pgVerify is null || !pgVerify.Succeeded || !pgVerify.Outputs.Flag("verified"))
        {
            return $"the PostgreSQL dump was not verified (step '{options.PgVerifyStep}' {Status(pgVerify)})";
        }

        var mongoDump = run.Step(options.MongoDumpStep);
        var mongoVerify = run.Step(options.MongoVerifyStep);
        var hasMongo = mongoDump is { Succeeded: true };
        if (mongoDump is { Status: StepStatus.Failed or StepStatus.TimedOut or StepStatus.Cancelled })
        {
            return $"the MongoDB dump {StatusNames.Of(mongoDump.Status)}";
        }

        if (hasMongo && (mongoVerify is null || !mongoVerify.Succeeded || !mongoVerify.Outputs.Flag("verified")))
        {
            return $"the MongoDB archive was not verified (step '{options.MongoVerifyStep}' {Status(mongoVerify)})";
        }

        var s3 = run.Step(options.S3Step);
        var taken = pgDump.Started ?? run.Started;
        var postgres = Dump(pgFile, pgVerify.Outputs.Text("sha256") ?? pgDump.Outputs.Text("sha256"), s3, taken);
        var mongo = hasMongo && mongoDump!.Outputs.Text("file") is { } mongoFile ? Dump(mongoFile, mongoVerify!.Outputs.Text("sha256") ?? mongoDump.Outputs.Text("sha256"), s3, mongoDump.Started ?? run.Started) : null;
        foreach (var dump in new[] { postgres, mongo }.OfType<RecordedDump>())
        {
            var reachable = options.From switch
            {
                RestoreFrom.Local => dump.IsLocal,
                RestoreFrom.S3 => dump.HasS3Copy,
                _ => dump.IsLocal || dump.HasS3Copy,
            };
            if (!reachable)
            {
                return $"{dump.File} is {(options.From == RestoreFrom.S3 ? "not recorded as copied to S3" : dump.HasS3Copy ? "gone" : "gone and was not copied to S3")}";
            }
        }

        var figures = new PostgresFigures(pgVerify.Outputs.Numbers("table_rows"), pgDump.Outputs.Texts("table_checksums"), pgDump.Outputs.Text("database"));
        if (figures.IsEmpty)
        {
            return $"it recorded no table figures (steps '{options.PgDumpStep}' and '{options.PgVerifyStep}' have no table_checksums or table_rows)";
        }

        var mongoFigures = hasMongo ? new MongoFigures(mongoDump!.Outputs.Numbers("collection_counts"), mongoVerify!.Outputs.Numbers("collection_counts"), mongoDump.Outputs.Text("database")) : null;
        chosen = new DrillBackup(run, taken, postgres, figures, mongo, mongoFigures, []);
        return null;
    }

    private static string Status(StoredStep? step) => step is null ? "missing" : StatusNames.Of(step.Status);

    /// <summary>The dump with its S3 copy, found in the upload step's objects (key → SHA-256) by file name.</summary>
    private static RecordedDump Dump(string file, string? sha256, StoredStep? s3, DateTimeOffset taken)
    {
        var name = Path.GetFileName(file);
        string? bucket = null;
        string? key = null;
        if (s3 is { Succeeded: true } && s3.Outputs.Texts("objects") is { } objects && s3.Outputs.Text("bucket") is { Length: > 0 } recordedBucket)
        {
            key = objects.Keys.FirstOrDefault(k => k == name || k.EndsWith("/" + name, StringComparison.Ordinal));
            bucket = key is null ? null : recordedBucket;
        }

        return new RecordedDump(file, sha256, bucket, key, taken);
    }
}
