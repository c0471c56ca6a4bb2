using NCrontab;

namespace ExcelMedical.DbRunbook.Engine.Scheduling;

/// <summary>
/// A cron expression read in a time zone: the instants it fires at. NCrontab counts wall-clock
/// time, so each wall time it yields is placed in the zone here, with the two DST rules a careful
/// operator expects: a time that does not exist (the hour skipped in spring) fires once, when the
/// clock jumps past it; a time that happens twice (the hour repeated in autumn) fires once, the
/// first time.
/// </summary>
internal sealed class CronTimetable
{
    /// <summary>How far ahead to look before calling an expression impossible (e.g. 30 February); covers leap days.</summary>
    private static readonly TimeSpan Horizon = TimeSpan.FromDays(366 * 9);

    private static readonly TimeSpan[] LookBack =
        [TimeSpan.FromHours(1), TimeSpan.FromDays(1), TimeSpan.FromDays(8), TimeSpan.FromDays(32), TimeSpan.FromDays(367)];

    private readonly CrontabSchedule _cron;

    private CronTimetable(string expression, CrontabSchedule cron, TimeZoneInfo zone)
    {
        Expression = expression;
        _cron = cron;
        Zone = zone;
    }

    public string Expression { get; }

    public TimeZoneInfo Zone { get; }

    /// <summary>Parses a five-field cron expression; returns null with the reason when it is not one.</summary>
    public static CronTimetable? TryCreate(string expression, TimeZoneInfo zone, out string? error)
    {
        var cron = CrontabSchedule.TryParse(expression);
        error = cron is null ? $"'{expression}' is not a valid cron expression (five fields: minute hour day-of-month month day-of-week)" : null;
        return cron is null ? null : new CronTimetable(expression, cron, zone);
    }

    /// <summary>The first firing strictly after <paramref name="instant"/>, or null when the expression never fires.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset instant)
    {
        var wall = TimeZoneInfo.ConvertTime(instant, Zone).DateTime;
        var end = wall + Horizon;
        while (true)
        {
            var candidate = _cron.GetNextOccurrence(wall, end);
            if (candidate >= end)
            {
                return null;
            }

            var at = Place(candidate);

            // Later than the instant: the answer. Not later: a wall time of the repeated autumn hour
            // that already fired in its first pass, or one merged into the end of the spring gap.
            if (at > instant)
            {
                return at;
            }

            wall = candidate;
        }
    }

    /// <summary>The firings from <paramref name="instant"/> on (exclusive), as many as asked.</summary>
    public IEnumerable<DateTimeOffset> Upcoming(DateTimeOffset instant, int count)
    {
        var at = instant;
        for (var i = 0; i < count && NextAfter(at) is { } next; i++)
        {
            yield return next;
            at = next;
        }
    }

    /// <summary>The latest firing in (<paramref name="notBefore"/>, <paramref name="instant"/>], or null.</summary>
    public DateTimeOffset? LatestAtOrBefore(DateTimeOffset instant, DateTimeOffset notBefore)
    {
        if (notBefore >= instant)
        {
            return null;
        }

        // Look back in growing windows, so a minutely schedule is not walked over months of history.
        foreach (var span in LookBack.Append(instant - notBefore))
        {
            var from = instant - span < notBefore ? notBefore : instant - span;
            DateTimeOffset? latest = null;
            for (var at = NextAfter(from); at is { } found && found <= instant; at = NextAfter(found))
            {
                latest = found;
            }

            if (latest is not null || from == notBefore)
            {
                return latest;
            }
        }

        return null;
    }

    /// <summary>An instant shown in the timetable's zone: <c>2026-03-08 03:00:00 -04:00</c>.</summary>
    public string Format(DateTimeOffset instant) =>
        TimeZoneInfo.ConvertTime(instant, Zone).ToString("yyyy-MM-dd HH:mm:ss zzz", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The instant of a wall time in the zone, by the DST rules above.</summary>
    private DateTimeOffset Place(DateTime wall)
    {
        if (Zone.IsInvalidTime(wall))
        {
            // Skipped by the clock: fire when the gap ends, at its first valid minute (DST changes fall on whole minutes).
            var after = wall;
            do
            {
                after = after.AddMinutes(1);
            }
            while (Zone.IsInvalidTime(after));

            return new DateTimeOffset(after, Zone.GetUtcOffset(after));
        }

        if (Zone.IsAmbiguousTime(wall))
        {
            // Happens twice: the first pass has the larger offset (daylight time).
            return new DateTimeOffset(wall, Zone.GetAmbiguousTimeOffsets(wall).Max());
        }

        return new DateTimeOffset(wall, Zone.GetUtcOffset(wall));
    }
}
