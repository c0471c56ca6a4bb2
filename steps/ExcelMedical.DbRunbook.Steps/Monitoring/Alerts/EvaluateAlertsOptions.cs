using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Engine.Options;

namespace ExcelMedical.DbRunbook.Steps.Monitoring.Alerts;

/// <summary>When monitor.evaluate fails the step (and so the run, exit code 1) instead of only alerting.</summary>
public enum FailOn
{
    /// <summary>Alerts never fail the run (the default: an alert is not a failure).</summary>
    Never,

    /// <summary>Fail when a critical or unknown alert is active.</summary>
    Critical,

    /// <summary>Fail when any alert is active.</summary>
    Warning,
}

public sealed class EvaluateAlertsOptions : IValidatableObject
{
    [Required]
    [Description("Ids of the metric steps whose samples are evaluated, e.g. [pg_metrics, mongo_metrics, system_metrics]. A skipped step is ignored; a failed one is an UNKNOWN alert.")]
    [StepReference]
    public List<string> From { get; set; } = [];

    [Description("Levels per metric name (postgres.connections, postgres.query_seconds, postgres.bloat_pct, mongo.connections, mongo.operation_seconds, system.cpu_pct, system.memory_pct, system.disk_pct, ...). The defaults are the guide's thresholds. A sample that cannot be read is always an UNKNOWN alert.")]
    public Dictionary<string, ThresholdOptions> Thresholds { get; set; } = DefaultThresholds();

    [Description("While an alert keeps firing, notify again after this long (Alertmanager's repeat_interval is 4h).")]
    public TimeSpan ReminderInterval { get; set; } = TimeSpan.FromHours(4);

    [Description("Send a RESOLVED notice when an alert clears.")]
    public bool NotifyResolved { get; set; } = true;

    [Description("The alert state file's name under <state>/monitor/<playbook>/ (default: the step id). Runs of the same playbook share it.")]
    public string? StateName { get; set; }

    [Description("never: alerts do not fail the run (exit 0); critical: a critical or unknown alert fails this step (exit 1); warning: any alert does.")]
    public FailOn FailOn { get; set; } = FailOn.Never;

    /// <summary>The guide's "Alert Thresholds".</summary>
    public static Dictionary<string, ThresholdOptions> DefaultThresholds() => new(StringComparer.Ordinal)
    {
        ["postgres.connections"] = ThresholdOptions.Above(null, 100),
        ["postgres.query_seconds"] = ThresholdOptions.Above(null, 30),
        ["postgres.bloat_pct"] = ThresholdOptions.Above(null, 50),
        ["mongo.connections"] = ThresholdOptions.Above(null, 100),
        ["mongo.operation_seconds"] = ThresholdOptions.Above(null, 30),
        ["system.cpu_pct"] = ThresholdOptions.Above(null, 85),
        ["system.memory_pct"] = ThresholdOptions.Above(null, 85),
        ["system.disk_pct"] = ThresholdOptions.Above(null, 80),
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (metric, threshold) in Thresholds)
        {
            foreach (var problem in threshold.Validate(validationContext))
            {
                yield return new ValidationResult($"thresholds.{metric}: {problem.ErrorMessage}");
            }
        }
    }
}
