using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;
using ExcelMedical.DbRunbook.Steps.Monitoring.Metrics;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Metrics;

/// <summary>One PostgreSQL metric: reads what it measures into the probe's metric set.</summary>
internal interface IPostgresMetric
{
    /// <summary>The metric's name without the <c>postgres.</c> prefix, e.g. <c>connections</c>.</summary>
    string Name { get; }

    Task CollectAsync(Npgsql.NpgsqlConnection connection, PostgresProbe probe, CancellationToken cancellationToken);
}

/// <summary>What the PostgreSQL metrics share during one run.</summary>
internal sealed class PostgresProbe(StepContext context, PostgresMetricsOptions options, PostgresTarget target, MetricSet set, PostgresMetricsState previous)
{
    public StepContext Context { get; } = context;

    public PostgresMetricsOptions Options { get; } = options;

    public MetricSet Set { get; } = set;

    public PostgresMetricsState Previous { get; } = previous;

    public PostgresMetricsState NextState { get; } = new() { CacheCounters = new(previous.CacheCounters, StringComparer.Ordinal) };

    /// <summary>The target of server-wide metrics: host:port.</summary>
    public string Server { get; } = $"{target.Host}:{target.Port}";

    /// <summary>The target of database metrics: the database name.</summary>
    public string Database { get; } = target.Database;
}

/// <summary>What postgres.metrics keeps between runs: the cache counters of the previous run, per database.</summary>
internal sealed class PostgresMetricsState
{
    public Dictionary<string, CacheCounters> CacheCounters { get; set; } = new(StringComparer.Ordinal);
}

internal sealed record CacheCounters(long BlocksHit, long BlocksRead, DateTimeOffset At, DateTimeOffset? StatsReset);
