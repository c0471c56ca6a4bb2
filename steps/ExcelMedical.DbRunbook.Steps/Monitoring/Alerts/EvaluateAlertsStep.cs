using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Alerts;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Alerts;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Metrics;

namespace ExcelMedical.DbRunbook.Steps.Monitoring.Alerts;

/// <summary>
/// Compares the samples of the metric steps with the thresholds and runs the alert lifecycle
/// against the state of earlier runs. Alerts that need telling (new, changed, reminder, resolved)
/// are raised for the run, so the notifiers with <c>on: [alert]</c> send one grouped message.
/// </summary>
[Step("monitor.evaluate", "Check metric samples against thresholds; alert on new, escalated, still-firing (reminder) and resolved alerts")]
public sealed class EvaluateAlertsStep : Step<EvaluateAlertsOptions>
{
    public override Task<StepPlan> PlanAsync(StepContext context, EvaluateAlertsOptions options, CancellationToken cancellationToken)
    {
        var path = MonitorState.PathOf(context, options.StateName ?? context.StepId);
        var state = MonitorState.Load<AlertState>(path) ?? new AlertState();
        var levels = string.Join(", ", options.Thresholds.Select(t => $"{t.Key} {Describe(t.Value)}"));
        return Task.FromResult(StepPlan.Of(
            $"evaluate the samples of {string.Join(", ", options.From)} against {levels}",
            $"update the alert state {path} ({state.Alerts.Count(a => a.Value.Firing)} alert(s) firing now); remind every {Engine.Model.Duration.Format(options.ReminderInterval)}",
            "raise an alert for the run's notifiers (on: [alert]) when an alert starts, changes, is due for a reminder or resolves"));
    }

    public override Task<StepOutputs> ExecuteAsync(StepContext context, EvaluateAlertsOptions options, CancellationToken cancellationToken)
    {
        var readings = new List<AlertReading>();
        var unreadable = new HashSet<string>(StringComparer.Ordinal);
        var disabled = new List<DisabledCheck>();
        foreach (var stepId in options.From)
        {
            var step = context.EarlierStep(stepId)
                ?? throw new StepFailedException($"from names '{stepId}', which is not an earlier step of this playbook");
            if (step.Status == StepStatus.Skipped)
            {
                // Turned off (e.g. MONGO_URI emptied): its alerts end as "check disabled", never as resolved.
                disabled.Add(new DisabledCheck(stepId, step.Uses.Split('.')[0], step.Message ?? "skipped"));
                continue;
            }

            if (step.Status != StepStatus.Succeeded)
            {
                readings.Add(new AlertReading($"step:{stepId}", AlertSeverity.Unknown, null, $"the metric step {stepId} ({step.Uses}) {step.Status.ToString().ToLowerInvariant()}: {step.Message}", Source: stepId));
                continue;
            }

            readings.Add(new AlertReading($"step:{stepId}", AlertSeverity.Ok, null, $"{stepId} succeeded", Source: stepId));
            foreach (var sample in Samples(step))
            {
                var reading = Evaluate(sample, options.Thresholds.GetValueOrDefault(sample.Metric)) with { Source = stepId };
                readings.Add(reading);
                if (reading.Severity == AlertSeverity.Unknown && sample.Metric.EndsWith(".up", StringComparison.Ordinal))
                {
                    unreadable.Add(reading.Family);
                }
            }
        }

        var path = MonitorState.PathOf(context, options.StateName ?? context.StepId);
        var previous = MonitorState.Load<AlertState>(path) ?? new AlertState();
        var now = context.Time.GetLocalNow();
        var (notices, next) = AlertLifecycle.Advance(previous, readings, unreadable, now, options.ReminderInterval, options.NotifyResolved, disabled);
        MonitorState.Save(context, path, next);
        foreach (var notice in notices)
        {
            context.Alerts.Raise(notice);
            context.Log.Warning("  {Severity} {Transition} {Key}: {Message}", Engine.Reporting.AlertNotice.Label(notice), notice.Transition.ToString().ToLowerInvariant(), notice.Key, notice.Message);
        }

        var active = next.Alerts.Where(a => a.Value.Firing).OrderByDescending(a => a.Value.Severity).ThenBy(a => a.Key, StringComparer.Ordinal).ToList();
        var status = active.Count == 0 ? "ok" : active.Max(a => a.Value.Severity).ToString().ToLowerInvariant();
        context.Log.Information("  {Count} alert(s) firing, {Notices} notice(s) this run, status {Status}", active.Count, notices.Count, status);
        var outputs = new StepOutputs()
            .Add("status", status)
            .Add("firing", active.Count)
            .Add("notified", notices.Count)
            .Add("checked", readings.Count)
            .Add("alerts", active.Select(a => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["key"] = a.Key,
                ["severity"] = a.Value.Severity.ToString().ToUpperInvariant(),
                ["value"] = a.Value.Value,
                ["message"] = a.Value.Message,
                ["since"] = a.Value.FirstSeen.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
            }).ToList())
            .Add("notices", notices.Select(n => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["key"] = n.Key,
                ["severity"] = Engine.Reporting.AlertNotice.Label(n),
                ["transition"] = n.Transition.ToString().ToLowerInvariant(),
                ["message"] = n.Message,
            }).ToList());
        var failing = options.FailOn switch
        {
            FailOn.Critical => active.Where(a => a.Value.Severity is AlertSeverity.Critical or AlertSeverity.Unknown).ToList(),
            FailOn.Warning => active,
            _ => [],
        };
        if (failing.Count > 0)
        {
            throw new StepFailedException($"{failing.Count} alert(s) firing (fail_on: {options.FailOn.ToString().ToLowerInvariant()}): {string.Join("; ", failing.Select(a => a.Key))}");
        }

        return Task.FromResult(outputs);
    }

    internal static AlertReading Evaluate(MetricSample sample, ThresholdOptions? threshold)
    {
        if (sample.IsUnknown)
        {
            return new AlertReading(sample.Key, AlertSeverity.Unknown, null, $"{sample.Metric} cannot be read: {sample.Error ?? "no value"}");
        }

        var value = sample.Value!.Value;
        var shown = sample.FormatValue();
        var detail = sample.Detail is { Length: > 0 } d ? $" — {d}" : string.Empty;
        if (threshold is null)
        {
            return new AlertReading(sample.Key, AlertSeverity.Ok, value, $"{sample.Metric} {shown}{detail}");
        }

        bool Beyond(double? level) => level is { } l && (threshold.Below ? value < l : value > l);
        var relation = threshold.Below ? "<" : ">";
        var (severity, level) = Beyond(threshold.Critical) ? (AlertSeverity.Critical, threshold.Critical)
            : Beyond(threshold.Warning) ? (AlertSeverity.Warning, threshold.Warning)
            : (AlertSeverity.Ok, null);
        var message = level is { } limit
            ? $"{sample.Metric} {shown} {relation} {MetricSample.FormatValue(limit, sample.Unit)}{detail}"
            : $"{sample.Metric} {shown}{detail}";
        return new AlertReading(sample.Key, severity, value, message, threshold.ForRuns);
    }

    private static string Describe(ThresholdOptions threshold)
    {
        var relation = threshold.Below ? "<" : ">";
        var parts = new List<string>();
        if (threshold.Warning is { } warning)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"warning {relation} {warning}"));
        }

        if (threshold.Critical is { } critical)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"critical {relation} {critical}"));
        }

        return string.Join("/", parts);
    }

    internal static IEnumerable<MetricSample> Samples(IStepView step) =>
        step.Outputs.GetValueOrDefault("samples") is System.Collections.IEnumerable list and not string
            ? list.Cast<object?>().Select(MetricSample.FromOutput).OfType<MetricSample>()
            : [];
}
