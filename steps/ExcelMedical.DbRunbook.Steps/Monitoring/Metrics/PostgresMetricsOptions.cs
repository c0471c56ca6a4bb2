using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Engine.Options;

namespace ExcelMedical.DbRunbook.Steps.Monitoring.Metrics;

/// <summary>Which sessions long-running queries are looked for in.</summary>
public enum QueryScope
{
    /// <summary>Every database of the server (pg_stat_activity shows them all).</summary>
    Server,

    /// <summary>Only the connection's database.</summary>
    Database,
}

public sealed class PostgresMetricsOptions
{
    [Connection]
    [Description("The playbook connection to measure (host, port, user, password, database). A role with pg_monitor sees every session's query text.")]
    public string Connection { get; set; } = "postgres";

    [Description("List queries running longer than this (pid, user, duration, masked text). The longest active query is always measured as postgres.query_seconds.")]
    public TimeSpan LongQueryThreshold { get; set; } = TimeSpan.FromSeconds(30);

    [Description("server: long-running queries of every database; database: only the connection's.")]
    public QueryScope QueryScope { get; set; } = QueryScope.Server;

    [Range(20, 10000)]
    [Description("Query text is cut to this many characters; string literals are replaced by '?' and secrets masked.")]
    public int QueryTextLength { get; set; } = 200;

    [Range(0, 10_000_000)]
    [Description("Tables and indexes smaller than this many 8 kB pages are not measured for bloat (small tables show high, meaningless percentages). 128 pages = 1 MB, as pgwatch. postgres.vacuum_full's min_pages is the same setting for the tables it rewrites.")]
    public int BloatMinPages { get; set; } = Infrastructure.Postgres.BloatMeasure.DefaultMinPages;

    [Range(1, 1000)]
    [Description("How many of the most bloated tables and indexes are listed in the outputs bloated_tables and bloated_indexes.")]
    public int BloatTop { get; set; } = 10;

    [Description("Measure bloat with pgstattuple_approx when the pgstattuple extension is installed (exact dead tuples, estimated free space); otherwise the ioguix estimate from statistics is used.")]
    public bool UsePgstattuple { get; set; } = true;

    [Description("Limit for each monitoring query (SET statement_timeout); a query that takes longer gives an UNKNOWN reading, never a hung monitor.")]
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromSeconds(10);

    [Description("SET lock_timeout for the monitoring session, so it never queues behind a lock.")]
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(1);

    [Description("The application_name the monitoring session shows in pg_stat_activity.")]
    public string ApplicationName { get; set; } = "runbook-monitor";
}
