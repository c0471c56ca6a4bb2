using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace ExcelMedical.DbRunbook.Steps.Monitoring.Alerts;

/// <summary>The levels of one metric: a warning (optional) below the critical level.</summary>
public sealed class ThresholdOptions : IValidatableObject
{
    [Description("Warning level (optional): the alert is a warning above it (below it with below: true).")]
    public double? Warning { get; set; }

    [Description("Critical level: the alert is critical above it (below it with below: true).")]
    public double? Critical { get; set; }

    [Description("Alert when the value falls below the levels instead of rising above them (e.g. the cache hit ratio).")]
    public bool Below { get; set; }

    [Range(1, 100)]
    [Description("Consecutive runs over a level before the alert fires (2-3 keeps a short CPU spike quiet).")]
    public int ForRuns { get; set; } = 1;

    public static ThresholdOptions Above(double? warning, double critical, int forRuns = 1) => new() { Warning = warning, Critical = critical, ForRuns = forRuns };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Warning is null && Critical is null)
        {
            yield return new ValidationResult("a threshold needs warning, critical or both");
        }

        if (Warning is { } warning && Critical is { } critical && (Below ? warning < critical : warning > critical))
        {
            yield return new ValidationResult($"the warning level {warning} is beyond the critical level {critical}");
        }
    }
}
