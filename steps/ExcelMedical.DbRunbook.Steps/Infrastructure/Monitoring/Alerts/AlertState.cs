using ExcelMedical.DbRunbook.Engine.Alerts;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Alerts;

/// <summary>The alert lifecycle kept between runs (JSON), keyed by metric and target.</summary>
internal sealed class AlertState
{
    public Dictionary<string, AlertEntry> Alerts { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One alert that is firing, or pending until it has breached for enough runs.</summary>
internal sealed class AlertEntry
{
    public AlertSeverity Severity { get; set; }

    /// <summary>False while the alert waits for for_runs consecutive breaches.</summary>
    public bool Firing { get; set; }

    public int Breaches { get; set; }

    public DateTimeOffset FirstSeen { get; set; }

    public DateTimeOffset LastSeen { get; set; }

    public DateTimeOffset? LastNotified { get; set; }

    public double? Value { get; set; }

    public string Message { get; set; } = string.Empty;

    /// <summary>The metric step whose samples raised it; null in state files written before it was kept.</summary>
    public string? Source { get; set; }
}

/// <summary>What one run found for one alert key.</summary>
internal sealed record AlertReading(string Key, AlertSeverity Severity, double? Value, string Message, int ForRuns = 1, string? Source = null)
{
    /// <summary>The family the key belongs to (<c>postgres</c> of <c>postgres.connections:db</c>).</summary>
    public string Family => AlertLifecycle.FamilyOf(Key);
}

/// <summary>A metric step that did not run this time (its when: was false): its check is turned off.</summary>
/// <param name="Family">The family of its metrics, from its kind (mongo of mongo.metrics), for alerts kept without a source.</param>
internal sealed record DisabledCheck(string StepId, string Family, string Why)
{
    /// <summary>Whether the alert came from this step's check.</summary>
    public bool Raised(string key, AlertEntry entry) =>
        entry.Source is { } source ? source == StepId : key == $"step:{StepId}" || AlertLifecycle.FamilyOf(key) == Family;
}
