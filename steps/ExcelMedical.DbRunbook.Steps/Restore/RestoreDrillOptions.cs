using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Engine.Options;
using ExcelMedical.DbRunbook.Steps.SharedOptions;

namespace ExcelMedical.DbRunbook.Steps.Restore;

public sealed class RestoreDrillOptions : IValidatableObject
{
    [Description("The backup playbook (its name) whose run records give the backups and the figures recorded at dump time.")]
    public string BackupPlaybook { get; set; } = "backup";

    [Connection]
    [Description("The PostgreSQL server the scratch database is created on (usually the backup's connection; its own database is never touched).")]
    public string PostgresConnection { get; set; } = "postgres";

    [Connection]
    [Description("The MongoDB server the scratch database is created on; used when the backup has a MongoDB part.")]
    public string MongoConnection { get; set; } = "mongo";

    [Description("The id of the backup playbook's postgres.dump step (its table_checksums and file are compared and restored).")]
    public string PgDumpStep { get; set; } = "pg_dump";

    [Description("The id of the backup playbook's postgres.verify step (it must have succeeded; its table_rows are the rows counted in the dump).")]
    public string PgVerifyStep { get; set; } = "pg_verify";

    [Description("The id of the backup playbook's mongo.dump step (its collection_counts are compared).")]
    public string MongoDumpStep { get; set; } = "mongo_dump";

    [Description("The id of the backup playbook's archive.verify step for the MongoDB archive (it must have succeeded).")]
    public string MongoVerifyStep { get; set; } = "mongo_verify";

    [Description("The id of the backup playbook's s3.upload step: where a backup whose local files are gone is fetched from.")]
    public string S3Step { get; set; } = "s3";

    [Description("How to reach the S3 copies (service_url, region, credentials); bucket and key default to what the backup run recorded.")]
    public S3SourceOptions? S3 { get; set; }

    [Description("auto: the local files when they are still there, else the S3 copies; local; s3 (always drill the off-site copy).")]
    public RestoreFrom From { get; set; } = RestoreFrom.Auto;

    [Description("Where S3 downloads go (default: a private folder under the system's temp folder); deleted after the drill.")]
    public string? DownloadFolder { get; set; }

    [RegularExpression("^[a-z_][a-z0-9_]{0,40}$", ErrorMessage = "scratch_prefix must be 1-41 lower-case letters, digits or _, starting with a letter or _")]
    [Description("Scratch databases are named this prefix + the drill's time stamp (PostgreSQL and MongoDB), and dropped afterwards.")]
    public string ScratchPrefix { get; set; } = "runbook_drill_";

    [Description("Leave the scratch databases in place for inspection instead of dropping them.")]
    public bool KeepScratch { get; set; }

    [Description("The recovery point objective: fail when the newest verified backup is older than this, e.g. 26h.")]
    public TimeSpan? MaxBackupAge { get; set; }

    [Description("The recovery time objective: fail when fetching, verifying and restoring the backup takes longer than this, e.g. 1h.")]
    public TimeSpan? MaxRestoreTime { get; set; }

    [Description("Where to write the drill report (each table's and collection's verdict, RTO and RPO), e.g. \"{{ vars.reports }}/restore_drill_{{ vars.stamp }}.txt\". Written on success and on failure.")]
    public string? Report { get; set; }

    [Description("pg_restore --no-owner for the scratch database (for a drill server without the production roles).")]
    public bool NoOwner { get; set; }

    [Range(1, 64)]
    [Description("Parallel pg_restore jobs for a directory-format dump.")]
    public int Jobs { get; set; } = 2;

    [Description("The PostgreSQL database to connect to for CREATE/DROP DATABASE.")]
    public string MaintenanceDatabase { get; set; } = "postgres";

    [Description("Path of pg_restore (default: PATH, else the newest /usr/lib/postgresql/N/bin).")]
    public string? PgRestore { get; set; }

    [Range(1, 100_000)]
    [Description("Documents per MongoDB insert batch.")]
    public int BatchSize { get; set; } = 1000;

    [Description("How long to wait for a reachable MongoDB server before failing.")]
    public TimeSpan ServerSelectionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var result in S3?.Validate() ?? [])
        {
            yield return result;
        }
    }
}
