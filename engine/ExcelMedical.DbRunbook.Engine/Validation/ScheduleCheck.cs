using System.Text.RegularExpressions;
using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;
using NCrontab;

namespace ExcelMedical.DbRunbook.Engine.Validation;

/// <summary>
/// <c>schedule</c> and <c>time_zone</c>: a cron expression NCrontab reads, without a step of 0
/// (<c>*/0</c>, which NCrontab quietly reads as every value), that fires at least once.
/// </summary>
internal static partial class ScheduleCheck
{
    /// <summary>
    /// Dates repeat their weekdays every 28 years (between 1901 and 2099), so an expression that
    /// does not fire within 28 years from a leap year never fires: 31 February, or 29 February on
    /// a weekday it never falls on.
    /// </summary>
    private static readonly DateTime CycleStart = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

    private static readonly DateTime CycleEnd = CycleStart.AddYears(28);

    public static void Check(Playbook playbook, DiagnosticBag diagnostics)
    {
        if (playbook.Schedule is { } schedule)
        {
            CheckCron(schedule, diagnostics);
        }

        if (playbook.TimeZone is { } zone)
        {
            try
            {
                TimeZoneInfo.FindSystemTimeZoneById(zone.Value);
            }
            catch (TimeZoneNotFoundException)
            {
                diagnostics.Add(zone.Location, $"unknown time zone '{zone.Value}': use an IANA name such as Europe/London or America/New_York");
            }
        }
    }

    private static void CheckCron(Located<string> schedule, DiagnosticBag diagnostics)
    {
        CrontabSchedule cron;
        try
        {
            cron = CrontabSchedule.Parse(schedule.Value);
        }
        catch (CrontabException ex)
        {
            diagnostics.Add(schedule.Location, $"'schedule' is not a valid cron expression ('{schedule.Value}'): use five fields, minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\" ({ex.Message.Split('\n')[0].Trim()})");
            return;
        }

        if (ZeroStepRegex().Match(schedule.Value) is { Success: true } zero)
        {
            diagnostics.Add(schedule.Location, $"'schedule' has a step of 0 ('{zero.Value.Trim()}' in '{schedule.Value}'): a step counts how many values to skip and must be 1 or more, e.g. */15");
            return;
        }

        if (cron.GetNextOccurrence(CycleStart, CycleEnd) >= CycleEnd)
        {
            diagnostics.Add(schedule.Location, $"'schedule' never fires: no date matches '{schedule.Value}' (e.g. 31 February); check the day-of-month and month fields");
        }
    }

    [GeneratedRegex(@"[^\s]*/0+(?![0-9])")]
    private static partial Regex ZeroStepRegex();
}
