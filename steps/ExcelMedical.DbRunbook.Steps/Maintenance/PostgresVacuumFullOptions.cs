using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Steps.SharedOptions;

namespace ExcelMedical.DbRunbook.Steps.Maintenance;

public enum BloatRepairMethod
{
    /// <summary>VACUUM (FULL, ANALYZE): rewrites the table under an ACCESS EXCLUSIVE lock.</summary>
    VacuumFull,

    /// <summary>pg_repack (must be installed: the program and the extension in the database); online, needs a primary key.</summary>
    PgRepack,

    /// <summary>pg_repack where it is installed and the table has a primary key, VACUUM FULL otherwise.</summary>
    Auto,
}

public sealed class PostgresVacuumFullOptions : PostgresDatabasesOptions
{
    [Description("The databases to repair (default: the connection's database).")]
    public override List<string> Databases { get; set; } = [];

    [Description("Look at every database that accepts connections (templates excluded) instead of databases.")]
    public override bool AllDatabases { get; set; }

    [Description("Only consider these tables (schema.table or table); they must still be over min_bloat_percent.")]
    public List<string> Tables { get; set; } = [];

    [Range(0.0, 100.0)]
    [Description("A table is rewritten when its bloat, measured exactly as postgres.metrics measures postgres.bloat_pct (same query, same minimum size, one decimal), is above this percentage. Set it to the monitor's lowest bloat alert level (the shipped monitor.yaml warns above 30) and maintenance repairs every table the monitor flags.")]
    public double MinBloatPercent { get; set; } = Infrastructure.Postgres.BloatMeasure.DefaultAlertPercent;

    [Range(0, 10_000_000)]
    [Description("Tables smaller than this many 8 kB pages are not measured, as postgres.metrics's bloat_min_pages (keep the two equal).")]
    public int MinPages { get; set; } = Infrastructure.Postgres.BloatMeasure.DefaultMinPages;

    [Description("Measure with pgstattuple_approx where the pgstattuple extension is installed, as postgres.metrics's use_pgstattuple (keep the two equal); otherwise the estimate from statistics.")]
    public bool UsePgstattuple { get; set; } = true;

    [Description("How long to wait for the table's ACCESS EXCLUSIVE lock. A request that cannot be granted at once queues every later reader behind it, so keep this short: the table is skipped and the next one done.")]
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(5);

    [Range(0, int.MaxValue)]
    [Description("Tables larger than this (MiB, with indexes) are not rewritten with VACUUM FULL, which locks them for its whole run; the guide's advice is regular VACUUM for large tables, or pg_repack. 0: no limit.")]
    public int MaxTableMb { get; set; } = 10240;

    [Description("vacuum_full, pg_repack (online; the program and the extension must be installed, the table needs a primary key; where they are missing the tables are left and named) or auto (pg_repack where it can, VACUUM FULL otherwise).")]
    public BloatRepairMethod Method { get; set; } = BloatRepairMethod.VacuumFull;

    [Range(1.0, 10.0)]
    [Description("Before each table, the server's disk must have this many times the table's size (with indexes) free: the rewrite builds a new copy, and writes WAL for it, before the old one is dropped.")]
    public double FreeSpaceFactor { get; set; } = 2.0;

    [Description("The server's data directory as seen from this machine, for the free-disk check (default: the server's data_directory setting when the server runs on this machine).")]
    public string? DataDirectory { get; set; }

    [Description("Rewrite tables even when the free disk on the server cannot be checked (runbook runs on another machine and data_directory is not set).")]
    public bool SkipFreeSpaceCheck { get; set; }

    [Description("Path of pg_repack (default: PATH, else the newest /usr/lib/postgresql/N/bin).")]
    public string? PgRepack { get; set; }
}
