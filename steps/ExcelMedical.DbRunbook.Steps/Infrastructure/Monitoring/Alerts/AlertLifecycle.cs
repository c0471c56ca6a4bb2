using ExcelMedical.DbRunbook.Engine.Alerts;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Alerts;

/// <summary>
/// The alert state machine, kept between cron runs: OK → (PENDING for for_runs) → FIRING
/// (warning, critical or unknown) → OK. It notifies when an alert starts firing, when its
/// severity changes, every reminder interval while it keeps firing, and when it resolves. A key
/// not reported this run resolves, unless its whole family could not be read (server down), in
/// which case it is kept as it was: an unreadable server is not a recovery. An alert whose check
/// was turned off (its metric step skipped) is dropped with a "check disabled" notice, not resolved.
/// </summary>
internal static class AlertLifecycle
{
    public static string FamilyOf(string key) => key.Split('.', ':')[0];

    public static (List<RunAlert> Notices, AlertState Next) Advance(
        AlertState previous,
        IReadOnlyList<AlertReading> readings,
        IReadOnlySet<string> unreadableFamilies,
        DateTimeOffset now,
        TimeSpan reminderInterval,
        bool notifyResolved,
        IReadOnlyList<DisabledCheck>? disabled = null)
    {
        var notices = new List<RunAlert>();
        var next = new AlertState();
        foreach (var reading in readings)
        {
            var before = previous.Alerts.GetValueOrDefault(reading.Key);
            if (reading.Severity == AlertSeverity.Ok)
            {
                if (before is { Firing: true } && notifyResolved)
                {
                    notices.Add(new RunAlert(reading.Key, before.Severity, AlertTransition.Resolved, $"back to normal: {reading.Message}", before.FirstSeen));
                }

                continue;
            }

            var entry = before is null
                ? new AlertEntry { FirstSeen = now }
                : new AlertEntry { FirstSeen = before.FirstSeen, Firing = before.Firing, Breaches = before.Breaches, LastNotified = before.LastNotified, Severity = before.Severity };
            entry.Source = reading.Source;
            entry.Breaches++;
            entry.LastSeen = now;
            entry.Value = reading.Value;
            entry.Message = reading.Message;
            var transition = Transition(before, entry, reading, now, reminderInterval);
            entry.Severity = reading.Severity;
            if (transition is { } happened)
            {
                entry.Firing = true;
                entry.LastNotified = now;
                notices.Add(new RunAlert(reading.Key, reading.Severity, happened, reading.Message, entry.FirstSeen));
            }

            next.Alerts[reading.Key] = entry;
        }

        var reported = readings.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, entry) in previous.Alerts.Where(a => !reported.Contains(a.Key)))
        {
            if ((disabled ?? []).FirstOrDefault(check => check.Raised(key, entry)) is { } off)
            {
                if (entry.Firing)
                {
                    notices.Add(new RunAlert(key, entry.Severity, AlertTransition.Disabled,
                        $"check disabled: {off.StepId} did not run ({off.Why}); this alert is no longer watched, it did not resolve (last: {entry.Message})", entry.FirstSeen));
                }
            }
            else if (unreadableFamilies.Contains(FamilyOf(key)))
            {
                next.Alerts[key] = entry;
            }
            else if (entry.Firing && notifyResolved)
            {
                notices.Add(new RunAlert(key, entry.Severity, AlertTransition.Resolved, "no longer reported (the condition ended or the object is gone)", entry.FirstSeen));
            }
        }

        return (notices, next);
    }

    private static AlertTransition? Transition(AlertEntry? before, AlertEntry entry, AlertReading reading, DateTimeOffset now, TimeSpan reminderInterval)
    {
        if (before is null || !before.Firing)
        {
            // Unknown fires at once: waiting would hide an unreadable metric for several runs.
            var due = reading.Severity == AlertSeverity.Unknown || entry.Breaches >= reading.ForRuns;
            return due ? AlertTransition.Firing : null;
        }

        if (reading.Severity != before.Severity)
        {
            return before.Severity == AlertSeverity.Warning && reading.Severity == AlertSeverity.Critical ? AlertTransition.Escalated : AlertTransition.Changed;
        }

        return before.LastNotified is not { } last || now - last >= reminderInterval ? AlertTransition.Reminder : null;
    }
}
