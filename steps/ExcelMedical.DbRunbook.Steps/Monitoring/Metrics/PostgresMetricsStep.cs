using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Metrics;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;
using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Monitoring.Metrics;

/// <summary>
/// The guide's PostgreSQL metrics: database size, connections, long-running queries, table and
/// index bloat, unused indexes, cache hit ratio and transaction age. Every metric is read on its own;
/// one that cannot be read (server down, permission denied, timeout) becomes an UNKNOWN sample
/// instead of failing the step or passing for OK.
/// </summary>
[Step("postgres.metrics", "Measure PostgreSQL: size, connections, long queries, table and index bloat, unused indexes, cache hit ratio, wraparound")]
public sealed class PostgresMetricsStep : Step<PostgresMetricsOptions>
{
    private static readonly IPostgresMetric[] Metrics =
    [
        new DatabaseSizeMetric(),
        new ConnectionsMetric(),
        new LongQueriesMetric(),
        new BloatMetric(),
        new UnusedIndexesMetric(),
        new CacheHitMetric(),
        new WraparoundMetric(),
    ];

    public override Task<StepPlan> PlanAsync(StepContext context, PostgresMetricsOptions options, CancellationToken cancellationToken)
    {
        var target = PostgresTarget.From(context.Connections.Get(options.Connection));
        return Task.FromResult(StepPlan.Of(
            $"read {string.Join(", ", Metrics.Select(m => m.Name))} from {target.Display} (read-only, statement_timeout {Engine.Model.Duration.Format(options.StatementTimeout)})",
            $"keep cache counters for the next run's hit ratio in {MonitorState.PathOf(context, context.StepId)}"));
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, PostgresMetricsOptions options, CancellationToken cancellationToken)
    {
        var target = PostgresTarget.From(context.Connections.Get(options.Connection));
        var set = new MetricSet();
        var statePath = MonitorState.PathOf(context, context.StepId);
        var probe = new PostgresProbe(context, options, target, set, MonitorState.Load<PostgresMetricsState>(statePath) ?? new PostgresMetricsState());
        NpgsqlConnection connection;
        try
        {
            // Every monitoring query reads built-in types only: no need to load the type catalogue.
            connection = await target.OpenAsync(cancellationToken, (int)Math.Ceiling(options.StatementTimeout.TotalSeconds) + 5, loadTypes: false);
        }
        catch (StepFailedException ex)
        {
            context.Log.Error("  {Message}", ex.Message);
            set.Unknown("postgres.up", probe.Server, ex.Message);
            set.Details["up"] = false;
            return set.ToOutputs();
        }

        await using (connection)
        {
            await PrepareSessionAsync(connection, options, cancellationToken);
            set.Add("postgres.up", probe.Server, 1, string.Empty);
            set.Details["up"] = true;
            foreach (var metric in Metrics)
            {
                try
                {
                    await metric.CollectAsync(connection, probe, cancellationToken);
                }
                catch (Exception ex) when (ex is PostgresException or NpgsqlException or TimeoutException or InvalidCastException)
                {
                    var reason = context.Secrets.Apply(ex is PostgresException pg ? $"{pg.MessageText} ({pg.SqlState})" : ex.Message);
                    context.Log.Warning("  {Metric} cannot be read: {Reason}", metric.Name, reason);
                    set.Unknown("postgres." + metric.Name, probe.Database, reason);
                    if (connection.FullState.HasFlag(System.Data.ConnectionState.Broken))
                    {
                        break;
                    }
                }
            }
        }

        MonitorState.Save(context, statePath, probe.NextState);
        foreach (var sample in set.Samples.Where(s => !s.IsUnknown))
        {
            context.Log.Debug("  {Metric} {Target} = {Value}", sample.Metric, sample.Target, sample.FormatValue());
        }

        return set.ToOutputs();
    }

    /// <summary>Session safety as pgmetrics and check_postgres do it: bounded statements, no lock queueing, a recognisable name.</summary>
    private static async Task PrepareSessionAsync(NpgsqlConnection connection, PostgresMetricsOptions options, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT set_config('statement_timeout', $1, false), set_config('lock_timeout', $2, false), set_config('application_name', $3, false)",
            connection);
        command.Parameters.AddWithValue(((long)options.StatementTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue(((long)options.LockTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue(options.ApplicationName);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
