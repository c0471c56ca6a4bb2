using ExcelMedical.DbRunbook.Engine.Alerts;

namespace ExcelMedical.DbRunbook.Engine.Reporting;

/// <summary>How a run's grouped alerts read in a notice: a colour, a one-line summary and one line per alert.</summary>
public static class AlertNotice
{
    /// <summary>
    /// Red for a critical or unknown alert, yellow for a warning, blue when a check was turned off
    /// (news, not a recovery), green when everything raised has resolved.
    /// </summary>
    public static NoticeSeverity Severity(IReadOnlyList<RunAlert> alerts)
    {
        var active = alerts.Where(IsActive).ToList();
        return active.Any(a => a.Severity is AlertSeverity.Critical or AlertSeverity.Unknown) ? NoticeSeverity.Error
            : active.Count > 0 ? NoticeSeverity.Warning
            : alerts.Any(a => a.Transition == AlertTransition.Disabled) ? NoticeSeverity.Info
            : NoticeSeverity.Success;
    }

    private static bool IsActive(RunAlert alert) => alert.Transition is not (AlertTransition.Resolved or AlertTransition.Disabled);

    /// <summary>e.g. "3 alerts (1 critical, 1 warning, 1 resolved)".</summary>
    public static string Summary(IReadOnlyList<RunAlert> alerts)
    {
        var parts = new List<string>();
        Count(parts, alerts.Count(a => IsActive(a) && a.Severity == AlertSeverity.Critical), "critical");
        Count(parts, alerts.Count(a => IsActive(a) && a.Severity == AlertSeverity.Warning), "warning");
        Count(parts, alerts.Count(a => IsActive(a) && a.Severity == AlertSeverity.Unknown), "unknown");
        Count(parts, alerts.Count(a => a.Transition == AlertTransition.Resolved), "resolved");
        Count(parts, alerts.Count(a => a.Transition == AlertTransition.Disabled), "check disabled");
        return $"{alerts.Count} alert{(alerts.Count == 1 ? string.Empty : "s")} ({string.Join(", ", parts)})";
    }

    /// <summary>e.g. "CRITICAL firing   postgres.connections:db1 — 120 connections > 100 (since 2026-11-25 10:15)".</summary>
    public static IEnumerable<string> Lines(IReadOnlyList<RunAlert> alerts) => alerts
        .OrderBy(a => !IsActive(a))
        .ThenByDescending(a => a.Severity)
        .ThenBy(a => a.Key, StringComparer.Ordinal)
        .Select(a => $"{Label(a),-9} {a.Transition.ToString().ToLowerInvariant(),-9} {a.Key}: {a.Message} (since {a.Since:yyyy-MM-dd HH:mm})");

    public static string Label(RunAlert alert) => alert.Transition switch
    {
        AlertTransition.Resolved => "RESOLVED",
        AlertTransition.Disabled => "DISABLED",
        _ => alert.Severity.ToString().ToUpperInvariant(),
    };

    private static void Count(List<string> parts, int count, string name)
    {
        if (count > 0)
        {
            parts.Add($"{count} {name}");
        }
    }
}
