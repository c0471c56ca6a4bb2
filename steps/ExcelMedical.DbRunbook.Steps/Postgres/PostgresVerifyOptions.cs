using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Engine.Options;

namespace ExcelMedical.DbRunbook.Steps.Postgres;

public sealed class PostgresVerifyOptions
{
    [Required]
    [Description("The dump to verify: a postgres_*.sql.gz file or a directory-format folder, usually \"{{ steps.pg_dump.outputs.file }}\".")]
    public string File { get; set; } = string.Empty;

    [Description("The id of the postgres.dump step of this run: every table it found in the database must have its data (a COPY section, read to the end) in the dump.")]
    [StepReference]
    public string? DumpStep { get; set; }

    [Description("Where to write the verification report, e.g. \"{{ vars.day }}/verification/postgres_backup_verify.txt\".")]
    public string? Report { get; set; }

    [Description("Path of pg_restore (default: PATH, else the newest /usr/lib/postgresql/N/bin).")]
    public string? PgRestore { get; set; }
}
