using ExcelMedical.DbRunbook.Engine.Alerts;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Alerts;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Metrics;
using ExcelMedical.DbRunbook.Steps.Monitoring.Alerts;

namespace ExcelMedical.DbRunbook.Tests.Monitoring;

public sealed class AlertLifecycleTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Reminder = TimeSpan.FromHours(4);

    private static (List<RunAlert> Notices, AlertState Next) Advance(AlertState state, TimeSpan at, params AlertReading[] readings) =>
        AlertLifecycle.Advance(state, readings, new HashSet<string>(), Start + at, Reminder, notifyResolved: true);

    [Fact]
    public void A_warning_that_turns_critical_escalates_at_once()
    {
        var (first, state) = Advance(new AlertState(), TimeSpan.Zero, new AlertReading("system.disk_pct:/", AlertSeverity.Warning, 75, "75%"));
        var (second, _) = Advance(state, TimeSpan.FromMinutes(15), new AlertReading("system.disk_pct:/", AlertSeverity.Critical, 85, "85%"));

        Assert.Equal(AlertTransition.Firing, Assert.Single(first).Transition);
        var escalated = Assert.Single(second);
        Assert.Equal(AlertTransition.Escalated, escalated.Transition);
        Assert.Equal(Start, escalated.Since);
    }

    [Fact]
    public void With_for_runs_an_alert_waits_for_consecutive_breaches_and_a_single_spike_stays_quiet()
    {
        var (first, state) = Advance(new AlertState(), TimeSpan.Zero, new AlertReading("system.cpu_pct:h", AlertSeverity.Critical, 95, "95%", ForRuns: 2));
        var (spikeOver, quiet) = Advance(state, TimeSpan.FromMinutes(15), new AlertReading("system.cpu_pct:h", AlertSeverity.Ok, 20, "20%", ForRuns: 2));
        var (_, again) = Advance(quiet, TimeSpan.FromMinutes(30), new AlertReading("system.cpu_pct:h", AlertSeverity.Critical, 95, "95%", ForRuns: 2));
        var (second, _) = Advance(again, TimeSpan.FromMinutes(45), new AlertReading("system.cpu_pct:h", AlertSeverity.Critical, 96, "96%", ForRuns: 2));

        Assert.Empty(first);
        Assert.Empty(spikeOver);
        Assert.Equal(AlertTransition.Firing, Assert.Single(second).Transition);
    }

    [Fact]
    public void Alerts_of_a_server_that_cannot_be_read_are_kept_not_resolved()
    {
        var (_, state) = Advance(new AlertState(), TimeSpan.Zero, new AlertReading("postgres.connections:db:5432", AlertSeverity.Critical, 150, "150"));

        var (notices, next) = AlertLifecycle.Advance(state, [new AlertReading("postgres.up:db:5432", AlertSeverity.Unknown, null, "refused")], new HashSet<string> { "postgres" }, Start.AddMinutes(15), Reminder, true);

        Assert.Equal(AlertTransition.Firing, Assert.Single(notices).Transition);
        Assert.True(next.Alerts["postgres.connections:db:5432"].Firing);
    }

    [Fact]
    public void A_threshold_below_the_value_is_critical_and_the_warning_level_is_optional()
    {
        var sample = new MetricSample("postgres.cache_hit_pct", "db", 91, "percent");

        Assert.Equal(AlertSeverity.Critical, EvaluateAlertsStep.Evaluate(sample, new ThresholdOptions { Critical = 95, Below = true }).Severity);
        Assert.Equal(AlertSeverity.Warning, EvaluateAlertsStep.Evaluate(sample, new ThresholdOptions { Warning = 98, Critical = 90, Below = true }).Severity);
        Assert.Equal(AlertSeverity.Unknown, EvaluateAlertsStep.Evaluate(MetricSample.Unknown("postgres.cache_hit_pct", "db", "permission denied"), null).Severity);
    }

    [Fact]
    public void An_alert_whose_check_is_turned_off_is_dropped_as_disabled_not_resolved_and_its_notice_is_blue()
    {
        var (_, state) = AlertLifecycle.Advance(new AlertState(), [new AlertReading("mongo.connections:db:27017", AlertSeverity.Critical, 150, "150", Source: "mongo_metrics"), new AlertReading("system.cpu_pct:h", AlertSeverity.Warning, 80, "80%", Source: "system_metrics")], new HashSet<string>(), Start, Reminder, true);

        var (notices, next) = AlertLifecycle.Advance(state, [new AlertReading("system.cpu_pct:h", AlertSeverity.Warning, 80, "80%", Source: "system_metrics")], new HashSet<string>(), Start.AddMinutes(15), Reminder, true,
            [new DisabledCheck("mongo_metrics", "mongo", "skipped: the condition is false")]);

        var notice = Assert.Single(notices);
        Assert.Equal(AlertTransition.Disabled, notice.Transition);
        Assert.StartsWith("check disabled: mongo_metrics did not run", notice.Message, StringComparison.Ordinal);
        Assert.False(next.Alerts.ContainsKey("mongo.connections:db:27017"));
        Assert.True(next.Alerts["system.cpu_pct:h"].Firing);
        Assert.Equal(ExcelMedical.DbRunbook.Engine.Reporting.NoticeSeverity.Info, ExcelMedical.DbRunbook.Engine.Reporting.AlertNotice.Severity(notices));
        Assert.Equal("DISABLED", ExcelMedical.DbRunbook.Engine.Reporting.AlertNotice.Label(notice));
    }
}
