namespace ExcelMedical.DbRunbook.Engine.Alerts;

/// <summary>How bad an alert is. <see cref="Unknown"/> means the metric could not be read; it is never shown as OK.</summary>
public enum AlertSeverity
{
    Ok,
    Warning,
    Critical,
    Unknown,
}

/// <summary>Why an alert is in this run's notifications.</summary>
public enum AlertTransition
{
    /// <summary>It started firing.</summary>
    Firing,

    /// <summary>It got worse (warning to critical).</summary>
    Escalated,

    /// <summary>It changed severity otherwise (critical to warning, unknown to a value).</summary>
    Changed,

    /// <summary>It is still firing and the reminder interval has passed.</summary>
    Reminder,

    /// <summary>It stopped firing.</summary>
    Resolved,

    /// <summary>Its check was turned off (the metric step was skipped, e.g. MONGO_URI emptied): it is no longer watched, which is not a recovery.</summary>
    Disabled,
}

/// <summary>
/// One monitoring alert a step raised for the run's notifications (<c>on: [alert]</c>). An alert
/// is not a failure: the run still succeeds unless <c>--fail-on-alert</c> is given.
/// </summary>
public sealed record RunAlert(string Key, AlertSeverity Severity, AlertTransition Transition, string Message, DateTimeOffset Since);
