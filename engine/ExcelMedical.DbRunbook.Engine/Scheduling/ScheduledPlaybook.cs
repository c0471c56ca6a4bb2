using ExcelMedical.DbRunbook.Engine.Model;

namespace ExcelMedical.DbRunbook.Engine.Scheduling;

/// <summary>The valid version of one playbook file the scheduler runs, its timetable and its next tick.</summary>
internal sealed class ScheduledPlaybook(Playbook playbook, CronTimetable? timetable)
{
    public Playbook Playbook { get; } = playbook;

    /// <summary>Null when the playbook has no <c>schedule</c> (it is watched, not run).</summary>
    public CronTimetable? Timetable { get; } = timetable;

    public string Name => Playbook.Name;

    public DateTimeOffset? Next { get; set; }

    /// <summary>The playbook's timetable: its <c>schedule</c> in its <c>time_zone</c>, or the host's zone.</summary>
    public static CronTimetable? TimetableOf(Playbook playbook, TimeProvider time)
    {
        if (playbook.Schedule is not { } schedule)
        {
            return null;
        }

        var zone = playbook.TimeZone is { } named ? TimeZoneInfo.FindSystemTimeZoneById(named.Value) : time.LocalTimeZone;
        return CronTimetable.TryCreate(schedule.Value, zone, out var error)
            ?? throw new InvalidOperationException(error);
    }

    /// <summary>Same schedule in the same zone: the next tick stays as it was.</summary>
    public bool SameTimetable(ScheduledPlaybook other) =>
        Timetable?.Expression == other.Timetable?.Expression && Timetable?.Zone.Id == other.Timetable?.Zone.Id;

    /// <summary><c>"0 2 * * *" in America/New_York</c>.</summary>
    public string DescribeSchedule() =>
        Timetable is null ? "no schedule" : $"\"{Timetable.Expression}\" in {Timetable.Zone.Id}";
}
