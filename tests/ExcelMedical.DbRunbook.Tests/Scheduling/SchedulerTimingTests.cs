using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Scheduling;
using ExcelMedical.DbRunbook.Engine.State;
using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Scheduling;

/// <summary>When runs start, on a fake clock: across a day, across DST changes, and with a slow run.</summary>
public sealed class SchedulerTimingTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    internal static string Echo(string name, string schedule, string extra = "") => $$"""
        name: {{name}}
        schedule: "{{schedule}}"
        {{extra}}
        steps:
          - id: hello
            uses: test.echo
            with: { values: { playbook: "{{name}}" } }
        """;

    internal static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    internal static List<string> StartTimes(SchedulerHarness harness, string playbook) =>
        [.. harness.Of(ScheduleEventKind.Started, playbook).Select(e => e.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))];

    [Fact]
    public async Task Runs_start_at_their_cron_times_across_a_day()
    {
        await using var scheduler = new SchedulerHarness(_dir, Utc("2026-05-31T23:58:00Z"));
        scheduler.Write("daily.yaml", Echo("daily", "0 2 * * *"));
        scheduler.Write("mornings.yaml", Echo("mornings", "*/20 9-10 * * 1-5"));
        scheduler.Write("sixhourly.yaml", Echo("sixhourly", "0 */6 * * *"));
        await scheduler.StartAsync();

        await scheduler.AdvanceToAsync(Utc("2026-06-01T23:59:00Z"));

        Assert.Equal(["2026-06-01 02:00"], StartTimes(scheduler, "daily"));
        Assert.Equal(["2026-06-01 09:00", "2026-06-01 09:20", "2026-06-01 09:40", "2026-06-01 10:00", "2026-06-01 10:20", "2026-06-01 10:40"], StartTimes(scheduler, "mornings"));
        Assert.Equal(["2026-06-01 00:00", "2026-06-01 06:00", "2026-06-01 12:00", "2026-06-01 18:00"], StartTimes(scheduler, "sixhourly"));
        Assert.Equal(11, scheduler.Of(ScheduleEventKind.Finished).Count(e => e.Detail == "succeeded"));
        var record = RunRecords.Latest(scheduler.StateDirectory, "daily");
        Assert.Equal("schedule", record.GetProperty("trigger").GetString());
        Assert.Equal(Utc("2026-06-01T02:00:00Z"), record.GetProperty("tick").GetDateTimeOffset());
        Assert.Contains("daily: next run at 2026-06-02 02:00:00 +00:00", scheduler.Output);
    }

    [Theory]
    [InlineData("spring forward", "2026-03-07T12:00:00Z", "2026-03-09T12:00:00Z", "30 2 * * *", new[] { "2026-03-08 07:00", "2026-03-09 06:30" })]
    [InlineData("spring forward", "2026-03-07T12:00:00Z", "2026-03-09T12:00:00Z", "0 1-4 * * *", new[] { "2026-03-08 06:00", "2026-03-08 07:00", "2026-03-08 08:00", "2026-03-09 05:00", "2026-03-09 06:00", "2026-03-09 07:00", "2026-03-09 08:00" })]
    [InlineData("fall back", "2026-10-31T12:00:00Z", "2026-11-02T12:00:00Z", "30 1 * * *", new[] { "2026-11-01 05:30", "2026-11-02 06:30" })]
    [InlineData("fall back", "2026-10-31T12:00:00Z", "2026-11-02T12:00:00Z", "0 0-3 * * *", new[] { "2026-11-01 04:00", "2026-11-01 05:00", "2026-11-01 07:00", "2026-11-01 08:00", "2026-11-02 05:00", "2026-11-02 06:00", "2026-11-02 07:00", "2026-11-02 08:00" })]
    public async Task Runs_in_a_named_time_zone_start_once_per_wall_clock_time_across_a_DST_change(string change, string from, string to, string cron, string[] expectedUtc)
    {
        // America/New_York: 2026-03-08 02:00 EST -> 03:00 EDT; 2026-11-01 02:00 EDT -> 01:00 EST.
        await using var scheduler = new SchedulerHarness(_dir, Utc(from));
        scheduler.Write("zoned.yaml", Echo("zoned", cron, "time_zone: America/New_York"));
        await scheduler.StartAsync();

        await scheduler.AdvanceToAsync(Utc(to));

        Assert.True(expectedUtc.SequenceEqual(StartTimes(scheduler, "zoned")), $"{change}: {string.Join(", ", StartTimes(scheduler, "zoned"))}");
        Assert.Empty(scheduler.Of(ScheduleEventKind.Skipped));
    }

    [Fact]
    public async Task A_slow_run_makes_the_next_tick_of_the_same_playbook_skip_while_another_playbook_still_runs()
    {
        await using var scheduler = new SchedulerHarness(_dir, Utc("2026-06-01T08:59:00Z"));
        var marker = _dir["slow-started"];
        scheduler.Write("slow.yaml", $$"""
            name: slow
            schedule: "*/5 * * * *"
            steps:
              - id: wait
                uses: test.timer
                with: { for: "00:07:00", armed_marker: "{{marker}}" }
            """);
        scheduler.Write("quick.yaml", Echo("quick", "*/5 * * * *"));
        await scheduler.StartAsync();

        await scheduler.AdvanceToAsync(Utc("2026-06-01T09:00:00Z"), settle: false);
        await scheduler.WaitForAsync(() => File.Exists(marker), "the slow run to start sleeping");
        await scheduler.WaitForAsync(() => scheduler.Of(ScheduleEventKind.Completed, "quick").Count == 1, "the quick run to finish");
        await scheduler.AdvanceToAsync(Utc("2026-06-01T09:05:00Z"), settle: false);
        await scheduler.WaitForAsync(() => scheduler.Of(ScheduleEventKind.Completed, "quick").Count == 2, "the second quick run to finish");

        // 09:05: slow is still sleeping (until 09:07): its tick is skipped; quick ran.
        var skipped = Assert.Single(scheduler.Of(ScheduleEventKind.Skipped, "slow"));
        Assert.Equal(Utc("2026-06-01T09:05:00Z"), skipped.Tick);
        Assert.Contains("still running", skipped.Detail);
        Assert.Equal(["2026-06-01 09:00"], StartTimes(scheduler, "slow"));
        Assert.Equal(["2026-06-01 09:00", "2026-06-01 09:05"], StartTimes(scheduler, "quick"));

        await scheduler.AdvanceToAsync(Utc("2026-06-01T09:09:00Z"), settle: false);
        await scheduler.WaitForAsync(() => scheduler.Of(ScheduleEventKind.Completed, "slow").Count == 1, "the slow run to finish");
        await scheduler.AdvanceToAsync(Utc("2026-06-01T09:10:00Z"), settle: false);
        await scheduler.WaitForAsync(() => StartTimes(scheduler, "slow").Count == 2, "the next slow run");

        Assert.Equal(["2026-06-01 09:00", "2026-06-01 09:10"], StartTimes(scheduler, "slow"));
        var history = new RunStore(scheduler.StateDirectory).History("slow");
        var skippedRecord = Assert.Single(history, r => r.Status == RunStatus.Skipped);
        Assert.Equal(Utc("2026-06-01T09:05:00Z"), skippedRecord.Tick);
        Assert.Contains("the schedule run of 2026-06-01 09:00:00 +00:00 is still running", skippedRecord.Message);
        Assert.Contains(history, r => r.Status == RunStatus.Succeeded && r.Tick == Utc("2026-06-01T09:00:00Z"));
        Assert.Contains("slow: tick 2026-06-01 09:05:00 +00:00 skipped: the schedule run of 2026-06-01 09:00:00 +00:00 is still running", scheduler.Error);
    }
}
