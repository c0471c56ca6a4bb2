using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Engine.Options;

namespace ExcelMedical.DbRunbook.Steps.Postgres;

public enum DumpFormat
{
    /// <summary>pg_dump -Fc, gzipped by runbook on every core into one .sql.gz file.</summary>
    Custom,

    /// <summary>pg_dump -Fd -j N: one file per table, dumped in parallel; for large databases.</summary>
    Directory,
}

public sealed class PostgresDumpOptions
{
    [Connection]
    [Description("The playbook connection to dump (host, port, user, password, database).")]
    public string Connection { get; set; } = "postgres";

    [Required]
    [Description("Where the dump goes, e.g. \"{{ vars.day }}/postgres_{{ vars.stamp }}.sql.gz\". Written under a temporary name and renamed only when complete. For the directory format this is a folder.")]
    public string File { get; set; } = string.Empty;

    [Description("custom: one gzip file the guide's restore procedure reads; directory: a folder dumped with several jobs.")]
    public DumpFormat Format { get; set; } = DumpFormat.Custom;

    [Range(1, 64)]
    [Description("Parallel pg_dump jobs for the directory format (one connection each).")]
    public int Jobs { get; set; } = 2;

    [Range(1, 9)]
    [Description("gzip level (1-9). 5 is about 1.3x faster than 6 for ~4% larger files (zlib-ng); 1 is fastest.")]
    public int CompressionLevel { get; set; } = 5;

    [Description("Dump only these schemas (pg_dump --schema).")]
    public List<string> Schemas { get; set; } = [];

    [Description("Leave out these schemas (pg_dump --exclude-schema).")]
    public List<string> ExcludeSchemas { get; set; } = [];

    [Description("Dump only these tables (pg_dump --table, patterns allowed).")]
    public List<string> Tables { get; set; } = [];

    [Description("Leave out these tables (pg_dump --exclude-table).")]
    public List<string> ExcludeTables { get; set; } = [];

    [Description("Also record a content checksum of every table (in the dump's snapshot) for restore drills to compare; costs one extra read of each table.")]
    public bool TableChecksums { get; set; }

    [Description("Path of pg_dump (default: PATH, else the newest /usr/lib/postgresql/N/bin).")]
    public string? PgDump { get; set; }

    [Description("Fail before dumping when free space on the target disk is below the last backup's size times this factor.")]
    public double FreeSpaceFactor { get; set; } = 1.2;
}
