using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Engine.Options;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Restore;
using ExcelMedical.DbRunbook.Steps.SharedOptions;

namespace ExcelMedical.DbRunbook.Steps.Restore;

public sealed class PostgresRestoreOptions : RestoreSourceOptions
{
    [Connection]
    [Description("The server to restore to (host, port, user, password). Its database is the production database: restoring into it needs confirm_overwrite_production.")]
    public string Connection { get; set; } = "postgres";

    [Description("The database to restore into (default: the connection's database + \"_restored\"). Created from template0 when missing; an existing one must be empty unless clean is set.")]
    public string? Target { get; set; }

    [Description("The dump to restore: a postgres_*.sql.gz file or a directory-format folder (pg_dump -Fd).")]
    public override string? File { get; set; }

    [Description("A backup day folder, e.g. \"{{ vars.root }}/2026-11-24\": the newest entry matching pattern in it is restored.")]
    public override string? Folder { get; set; }

    [Description("Which entry of folder to restore (* and ? wildcards); the newest by name wins.")]
    public string Pattern { get; set; } = "postgres_*.sql.gz";

    [Description("The S3 copy to fetch when the dump is not on this machine: bucket, prefix (the day, e.g. \"2026-11-24/\") or key, endpoint and credentials. The object is downloaded and its SHA-256 checked against its metadata and the day's SHA256SUMS before anything else.")]
    public override S3SourceOptions? S3 { get; set; }

    [RegularExpression("^[0-9a-fA-F]{64}$", ErrorMessage = "sha256 must be 64 hexadecimal digits")]
    [Description("The SHA-256 the dump must have (e.g. from the backup's run record or SHA256SUMS); checked before anything is restored. A SHA256SUMS next to the file is always checked.")]
    public string? Sha256 { get; set; }

    [Description("Restore into an existing database that already holds objects, dropping the dump's objects first (pg_restore --clean --if-exists, as in the guide). Without it a non-empty target is refused.")]
    public bool Clean { get; set; }

    [Description("pg_restore --no-owner: the restored objects belong to the connecting user instead of the dump's owners (for a server without the production roles).")]
    public bool NoOwner { get; set; }

    [Range(1, 64)]
    [Description("Parallel pg_restore jobs for a directory-format dump (-j). A .sql.gz is streamed into pg_restore and restored in one transaction instead.")]
    public int Jobs { get; set; } = 2;

    [Description("The database to connect to for CREATE DATABASE.")]
    public string MaintenanceDatabase { get; set; } = "postgres";

    [Description("After the restore, also compute every table's content checksum (one more read of each table); row counts are always compared with the rows counted in the dump.")]
    public bool TableChecksums { get; set; }

    [Description("Path of pg_restore (default: PATH, else the newest /usr/lib/postgresql/N/bin).")]
    public string? PgRestore { get; set; }

    protected override IEnumerable<ValidationResult> ValidateTarget()
    {
        if (Target is { Length: > 0 } target && PostgresRestorer.NameProblem(target) is { } problem)
        {
            yield return new ValidationResult($"target: {problem}");
        }
    }
}
