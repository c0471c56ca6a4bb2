using ExcelMedical.DbRunbook.Engine.Scheduling;

namespace ExcelMedical.DbRunbook.Tests.Scheduling;

public sealed class CronTimetableTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    private static CronTimetable Timetable(string cron, TimeZoneInfo zone) =>
        CronTimetable.TryCreate(cron, zone, out var error) ?? throw new InvalidOperationException(error);

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    private static List<string> Firings(CronTimetable timetable, string from, string to)
    {
        var end = Utc(to);
        return [.. timetable.Upcoming(Utc(from), 10_000).TakeWhile(t => t < end).Select(t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture))];
    }

    [Fact]
    public void Fires_at_each_cron_time_of_a_day()
    {
        var timetable = Timetable("*/15 9-10 * * *", TimeZoneInfo.Utc);

        Assert.Equal(
            ["2026-06-01 09:00", "2026-06-01 09:15", "2026-06-01 09:30", "2026-06-01 09:45", "2026-06-01 10:00", "2026-06-01 10:15", "2026-06-01 10:30", "2026-06-01 10:45"],
            Firings(timetable, "2026-06-01T00:00Z", "2026-06-02T00:00Z"));
    }

    [Fact]
    public void A_time_in_the_hour_skipped_in_spring_fires_once_when_the_clock_jumps_past_it()
    {
        // New York, 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00 UTC); 02:30 does not exist.
        var timetable = Timetable("30 2 * * *", NewYork);

        Assert.Equal(
            ["2026-03-07 07:30", "2026-03-08 07:00", "2026-03-09 06:30"],
            Firings(timetable, "2026-03-07T00:00Z", "2026-03-10T00:00Z"));
    }

    [Fact]
    public void Hourly_and_quarter_hourly_schedules_fire_once_at_the_end_of_the_spring_gap()
    {
        var hourly = Firings(Timetable("0 * * * *", NewYork), "2026-03-08T05:00Z", "2026-03-08T09:00Z");
        var quarterly = Firings(Timetable("*/15 * * * *", NewYork), "2026-03-08T06:30Z", "2026-03-08T07:31Z");

        // 00:00, 01:00 EST, then 02:00 (gap) and 03:00 EDT both mean 07:00 UTC: once.
        Assert.Equal(["2026-03-08 06:00", "2026-03-08 07:00", "2026-03-08 08:00"], hourly);
        Assert.Equal(["2026-03-08 06:45", "2026-03-08 07:00", "2026-03-08 07:15", "2026-03-08 07:30"], quarterly);
    }

    [Fact]
    public void A_time_in_the_hour_repeated_in_autumn_fires_once_the_first_time()
    {
        // New York, 2026-11-01: 02:00 EDT becomes 01:00 EST; 01:30 happens at 05:30 and 06:30 UTC.
        var timetable = Timetable("30 1 * * *", NewYork);

        Assert.Equal(
            ["2026-10-31 05:30", "2026-11-01 05:30", "2026-11-02 06:30"],
            Firings(timetable, "2026-10-31T00:00Z", "2026-11-03T00:00Z"));
    }

    [Fact]
    public void Every_wall_clock_time_of_the_repeated_hour_fires_once()
    {
        var firings = Firings(Timetable("*/30 * * * *", NewYork), "2026-11-01T04:00Z", "2026-11-01T08:00Z");

        // 00:30 EDT, 01:00 EDT, 01:30 EDT; the second 01:00 and 01:30 (EST) are not repeated; then 02:00 EST.
        Assert.Equal(["2026-11-01 04:30", "2026-11-01 05:00", "2026-11-01 05:30", "2026-11-01 07:00", "2026-11-01 07:30"], firings);
    }

    [Theory]
    [InlineData("2026-03-29", 23)]
    [InlineData("2026-10-25", 24)]
    public void London_hourly_fires_once_per_wall_clock_hour_on_change_days(string day, int expected)
    {
        // 29 March 2026: 01:00 GMT -> 02:00 BST (the skipped 01:00 merges into 02:00: 23 firings);
        // 25 October 2026: 02:00 BST -> 01:00 GMT (25 hours long, 24 distinct wall-clock hours).
        var date = DateTime.Parse(day, System.Globalization.CultureInfo.InvariantCulture);
        var firings = Timetable("0 * * * *", London).Upcoming(Utc(day + "T00:00Z").AddHours(-3), 100)
            .Select(t => TimeZoneInfo.ConvertTime(t, London))
            .SkipWhile(t => t.Date < date)
            .TakeWhile(t => t.Date == date)
            .ToList();

        Assert.Equal(expected, firings.Count);
        Assert.Equal(firings.Count, firings.Select(f => f.DateTime).Distinct().Count());
    }

    [Fact]
    public void Latest_at_or_before_finds_the_last_firing_after_a_known_one()
    {
        var timetable = Timetable("0 2 * * *", TimeZoneInfo.Utc);

        Assert.Equal(Utc("2026-05-02T02:00Z"), timetable.LatestAtOrBefore(Utc("2026-05-02T09:00Z"), Utc("2026-04-01T02:00Z")));
        Assert.Equal(Utc("2026-05-02T02:00Z"), timetable.LatestAtOrBefore(Utc("2026-05-02T02:00Z"), Utc("2026-05-01T02:00Z")));
        Assert.Null(timetable.LatestAtOrBefore(Utc("2026-05-02T01:59Z"), Utc("2026-05-01T02:00Z")));
        Assert.Equal(Utc("2026-05-02T09:00Z"), Timetable("* * * * *", TimeZoneInfo.Utc).LatestAtOrBefore(Utc("2026-05-02T09:00:30Z"), Utc("2025-01-01T00:00Z")));
    }

    [Fact]
    public void An_expression_that_can_never_fire_has_no_next_time_and_a_bad_one_is_refused()
    {
        Assert.Null(Timetable("0 0 30 2 *", TimeZoneInfo.Utc).NextAfter(Utc("2026-01-01T00:00Z")));
        Assert.Equal(Utc("2028-02-29T00:00Z"), Timetable("0 0 29 2 *", TimeZoneInfo.Utc).NextAfter(Utc("2026-01-01T00:00Z")));
        Assert.Null(CronTimetable.TryCreate("61 * * * *", TimeZoneInfo.Utc, out var error));
        Assert.Contains("not a valid cron expression", error);
    }
}
