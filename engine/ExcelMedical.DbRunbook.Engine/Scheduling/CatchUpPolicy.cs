using ExcelMedical.DbRunbook.Engine.Model;

namespace ExcelMedical.DbRunbook.Engine.Scheduling;

/// <summary>
/// On start, a run missed while the scheduler was down is made up once, when the playbook's
/// <c>catch_up</c> window still covers it (the shipped backup: 6h). Older misses, and playbooks
/// without <c>catch_up</c>, are skipped and logged. Several missed ticks make up one run.
/// </summary>
internal static class CatchUpPolicy
{
    /// <param name="lastKnown">The last tick handled or run recorded; null when the playbook never ran here (nothing is known to be missed).</param>
    public static CatchUpDecision Decide(CronTimetable timetable, TimeSpan? window, DateTimeOffset? lastKnown, DateTimeOffset now)
    {
        if (lastKnown is not { } since)
        {
            return CatchUpDecision.None;
        }

        // Missed: a tick after the last known one and before now (a tick at this very moment is simply due).
        if (timetable.LatestAtOrBefore(now.AddTicks(-1), since) is not { } missed)
        {
            return CatchUpDecision.None;
        }

        var age = now - missed;
        var when = $"the run due at {timetable.Format(missed)} was missed ({Duration.Format(age)} ago) while the scheduler was not running";
        if (window is not { } limit || limit <= TimeSpan.Zero)
        {
            return new CatchUpDecision(missed, false, $"{when}; not caught up: the playbook has no catch_up window");
        }

        return age <= limit
            ? new CatchUpDecision(missed, true, $"{when}; catching it up now (catch_up {Duration.Format(limit)})")
            : new CatchUpDecision(missed, false, $"{when}; not caught up: older than its catch_up window of {Duration.Format(limit)}");
    }
}

/// <summary>The missed tick (if any), whether to run it now, and the sentence for the log and the history.</summary>
internal sealed record CatchUpDecision(DateTimeOffset? Missed, bool Run, string Reason)
{
    public static CatchUpDecision None { get; } = new(null, false, "nothing missed");
}
