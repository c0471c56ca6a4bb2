using System.ComponentModel;
using ExcelMedical.DbRunbook.Steps.SharedOptions;

namespace ExcelMedical.DbRunbook.Steps.Maintenance;

public enum ReindexMode
{
    /// <summary>REINDEX TABLE … CONCURRENTLY, one table at a time: reads and writes continue (PostgreSQL 12+).</summary>
    Concurrently,

    /// <summary>The guide's REINDEX DATABASE: blocks writes to each table while its indexes are rebuilt (on PostgreSQL 14/15 also the system catalogs).</summary>
    Database,
}

public sealed class PostgresReindexOptions : PostgresDatabasesOptions
{
    [Description("The databases to reindex (default: the connection's database).")]
    public override List<string> Databases { get; set; } = [];

    [Description("Reindex every database that accepts connections (templates excluded) instead of databases.")]
    public override bool AllDatabases { get; set; }

    [Description("concurrently: REINDEX TABLE … CONCURRENTLY table by table, online (PostgreSQL 12+); database: the guide's REINDEX DATABASE, which blocks writes while each table's indexes are rebuilt and on PostgreSQL 14/15 also rebuilds the system catalogs.")]
    public ReindexMode Mode { get; set; } = ReindexMode.Concurrently;

    [Description("concurrently mode only: reindex just these tables (schema.table or table); default: every user table with indexes.")]
    public List<string> Tables { get; set; } = [];

    [Description("Give up on a table (concurrently) or the database when a lock cannot be had within this time, instead of queueing behind other sessions (0s: wait).")]
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);

    [Description("Fail the step when invalid indexes remain afterwards (leftovers *_ccnew/*_ccold of an interrupted REINDEX CONCURRENTLY, or a failed CREATE INDEX CONCURRENTLY). They are reported either way and never dropped by runbook.")]
    public bool FailOnInvalidIndexes { get; set; } = true;
}
