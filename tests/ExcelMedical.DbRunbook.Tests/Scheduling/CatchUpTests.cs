using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Scheduling;
using ExcelMedical.DbRunbook.Engine.State;
using ExcelMedical.DbRunbook.Tests.Support;
using static ExcelMedical.DbRunbook.Tests.Scheduling.SchedulerTimingTests;

namespace ExcelMedical.DbRunbook.Tests.Scheduling;

/// <summary>After downtime, a missed run is made up once within the catch_up window, otherwise skipped and recorded.</summary>
public sealed class CatchUpTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private SchedulerHarness Scheduler(string now, string catchUp = "catch_up: 6h", string schedule = "0 2 * * *")
    {
        var harness = new SchedulerHarness(_dir, Utc(now));
        harness.Write("backup.yaml", Echo("backup", schedule, catchUp));
        return harness;
    }

    private void LastHandled(string tick) => new ScheduleState(_dir["state"]).Record("backup", Utc(tick));

    [Fact]
    public async Task A_run_missed_within_the_window_is_caught_up_once_on_start()
    {
        // The scheduler ran the 1 May backup, then was down from before 2 May 02:00 until 05:00.
        LastHandled("2026-05-01T02:00:00Z");
        await using (var scheduler = Scheduler("2026-05-02T05:00:00Z"))
        {
            await scheduler.StartAsync();
            await scheduler.SettleAsync();
            await scheduler.AdvanceToAsync(Utc("2026-05-03T03:00:00Z"));

            var fired = scheduler.Of(ScheduleEventKind.Fired, "backup");
            Assert.Equal(["catch-up", "schedule"], fired.Select(e => e.Trigger));
            Assert.Equal([Utc("2026-05-02T02:00:00Z"), Utc("2026-05-03T02:00:00Z")], fired.Select(e => e.Tick));
            Assert.Equal(["2026-05-02 05:00", "2026-05-03 02:00"], StartTimes(scheduler, "backup"));
            Assert.Contains("was missed (3h ago) while the scheduler was not running; catching it up now (catch_up 6h)", scheduler.Output);
            await scheduler.StopAsync();
        }

        var caughtUp = new RunStore(_dir["state"]).History("backup").Single(r => r.Trigger == "catch-up");
        Assert.Equal(Utc("2026-05-02T02:00:00Z"), caughtUp.Tick);
        Assert.Equal(RunStatus.Succeeded, caughtUp.Status);

        // Started again later the same day: nothing is caught up a second time.
        await using var again = Scheduler("2026-05-03T04:00:00Z");
        await again.StartAsync();
        await again.AdvanceToAsync(Utc("2026-05-03T05:00:00Z"));
        Assert.Empty(again.Of(ScheduleEventKind.Fired));
        Assert.Empty(again.Of(ScheduleEventKind.Missed));
    }

    [Fact]
    public async Task Several_missed_ticks_make_one_catch_up_run_of_the_latest()
    {
        LastHandled("2026-05-02T00:00:00Z");
        await using var scheduler = Scheduler("2026-05-02T05:30:00Z", schedule: "0 * * * *");

        await scheduler.StartAsync();
        await scheduler.SettleAsync();

        var fired = Assert.Single(scheduler.Of(ScheduleEventKind.Fired));
        Assert.Equal(("catch-up", Utc("2026-05-02T05:00:00Z")), (fired.Trigger, fired.Tick!.Value));
    }

    [Fact]
    public async Task A_run_missed_outside_the_window_is_skipped_logged_and_recorded()
    {
        LastHandled("2026-05-01T02:00:00Z");
        await using var scheduler = Scheduler("2026-05-02T09:00:00Z");

        await scheduler.StartAsync();
        await scheduler.AdvanceToAsync(Utc("2026-05-02T10:00:00Z"));

        Assert.Empty(scheduler.Of(ScheduleEventKind.Fired));
        var missed = Assert.Single(scheduler.Of(ScheduleEventKind.Missed, "backup"));
        Assert.Equal(Utc("2026-05-02T02:00:00Z"), missed.Tick);
        Assert.Contains("backup: the run due at 2026-05-02 02:00:00 +00:00 was missed (7h ago) while the scheduler was not running; not caught up: older than its catch_up window of 6h", scheduler.Error);
        var record = Assert.Single(new RunStore(_dir["state"]).History("backup"));
        Assert.Equal(RunStatus.Skipped, record.Status);
        Assert.Equal(Utc("2026-05-02T02:00:00Z"), record.Tick);
        Assert.Contains("older than its catch_up window of 6h", record.Message);
    }

    [Fact]
    public async Task Without_catch_up_a_missed_run_is_skipped_and_the_next_tick_runs_as_usual()
    {
        LastHandled("2026-05-01T02:00:00Z");
        await using var scheduler = Scheduler("2026-05-02T02:30:00Z", catchUp: string.Empty);

        await scheduler.StartAsync();
        await scheduler.AdvanceToAsync(Utc("2026-05-03T02:30:00Z"));

        Assert.Contains("not caught up: the playbook has no catch_up window", Assert.Single(scheduler.Of(ScheduleEventKind.Missed)).Detail);
        Assert.Equal(["2026-05-03 02:00"], StartTimes(scheduler, "backup"));
    }

    [Fact]
    public async Task A_first_start_with_no_history_catches_nothing_up()
    {
        await using var scheduler = Scheduler("2026-05-02T05:00:00Z");

        await scheduler.StartAsync();

        Assert.Empty(scheduler.Of(ScheduleEventKind.Fired));
        Assert.Empty(scheduler.Of(ScheduleEventKind.Missed));
    }

    [Fact]
    public void The_policy_counts_a_manual_run_after_the_tick_as_done()
    {
        var timetable = CronTimetable.TryCreate("0 2 * * *", TimeZoneInfo.Utc, out _)!;

        var afterManualRun = CatchUpPolicy.Decide(timetable, TimeSpan.FromHours(6), Utc("2026-05-02T03:00:00Z"), Utc("2026-05-02T05:00:00Z"));
        var dueRightNow = CatchUpPolicy.Decide(timetable, TimeSpan.FromHours(6), Utc("2026-05-01T02:00:00Z"), Utc("2026-05-02T02:00:00Z"));

        Assert.Null(afterManualRun.Missed);
        Assert.Null(dueRightNow.Missed);
    }
}
