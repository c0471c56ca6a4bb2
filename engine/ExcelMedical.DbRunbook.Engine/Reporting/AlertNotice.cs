using ExcelMedical.DbRunbook.Engine.Alerts;

namespace ExcelMedical.DbRunbook.Engine.Reporting;

/// <summary>How a run's grouped alerts read in a notice: a colour, a one-line summary and one line per alert.</summary>
public static class AlertNotice
{
    /// <summary>Red for a critical or unknown alert, yellow for a warning, green when everything raised has resolved.</summary>
    public static NoticeSeverity Severity(IReadOnlyList<RunAlert> alerts)
    {
        var active = alerts.Where(a => a.Transition != AlertTransition.Resolved).ToList();
        return active.Any(a => a.Severity is AlertSeverity.Critical or AlertSeverity.Unknown) ? NoticeSeverity.Error
            : active.Count > 0 ? NoticeSeverity.Warning
            : NoticeSeverity.Success;
    }

    /// <summary>e.g. "3 alerts (1 critical, 1 warning, 1 resolved)".</summary>
    public static string Summary(IReadOnlyList<RunAlert> alerts)
    {
        var parts = new List<string>();
        Count(parts, alerts.Count(a => a.Transition != AlertTransition.Resolved && a.Severity == AlertSeverity.Critical), "critical");
        Count(parts, alerts.Count(a => a.Transition != AlertTransition.Resolved && a.Severity == AlertSeverity.Warning), "warning");
        Count(parts, alerts.Count(a => a.Transition != AlertTransition.Resolved && a.Severity == AlertSeverity.Unknown), "unknown");
        Count(parts, alerts.Count(a => a.Transition == AlertTransition.Resolved), "resolved");
        return $"{alerts.Count} alert{(alerts.Count == 1 ? string.Empty : "s")} ({string.Join(", ", parts)})";
    }

    /// <summary>e.g. "CRITICAL firing   postgres.connections:db1 — 120 connections > 100 (since 2026-11-25 10:15)".</summary>
    public static IEnumerable<string> Lines(IReadOnlyList<RunAlert> alerts) => alerts
        .OrderBy(a => a.Transition == AlertTransition.Resolved)
        .ThenByDescending(a => a.Severity)
        .ThenBy(a => a.Key, StringComparer.Ordinal)
        .Select(a => $"{Label(a),-9} {a.Transition.ToString().ToLowerInvariant(),-9} {a.Key}: {a.Message} (since {a.Since:yyyy-MM-dd HH:mm})");

    public static string Label(RunAlert alert) =>
        alert.Transition == AlertTransition.Resolved ? "RESOLVED" : alert.Severity.ToString().ToUpperInvariant();

    private static void Count(List<string> parts, int count, string name)
    {
        if (count > 0)
        {
            parts.Add($"{count} {name}");
        }
    }
}
