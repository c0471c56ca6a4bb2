using ExcelMedical.DbRunbook.Engine.Scheduling;
using ExcelMedical.DbRunbook.Tests.Support;
using static ExcelMedical.DbRunbook.Tests.Scheduling.SchedulerTimingTests;

namespace ExcelMedical.DbRunbook.Tests.Scheduling;

/// <summary>SIGTERM: no new runs, running ones get the grace period, then are cancelled with their always-steps still run; exit 0.</summary>
public sealed class SchedulerShutdownTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private SchedulerHarness Start(string sleep)
    {
        var scheduler = new SchedulerHarness(_dir, Utc("2026-06-01T08:58:00Z"), o => o with { GracePeriod = TimeSpan.FromMinutes(10) });
        scheduler.Write("long.yaml", $$"""
            name: long
            schedule: "0 9 * * *"
            steps:
              - id: wait
                uses: test.timer
                with: { for: "{{sleep}}", armed_marker: "{{_dir["started"]}}", cancelled_marker: "{{_dir["cancelled"]}}" }
              - id: cleanup
                uses: test.echo
                always: true
                with: { values: { cleaned: "yes" } }
            """);
        scheduler.Write("quick.yaml", Echo("quick", "*/5 * * * *"));
        return scheduler;
    }

    private async Task StopWhileLongRunsAsync(SchedulerHarness scheduler)
    {
        await scheduler.StartAsync();
        await scheduler.AdvanceToAsync(Utc("2026-06-01T09:00:00Z"), settle: false);
        await scheduler.WaitForAsync(() => File.Exists(_dir["started"]), "the long run to start");
        await scheduler.WaitForAsync(() => scheduler.Of(ScheduleEventKind.Completed, "quick").Count == 1, "the quick run to finish");
        scheduler.RequestStop();
        await scheduler.WaitForAsync(() => scheduler.Of(ScheduleEventKind.Stopping).Count == 1, "the scheduler to begin stopping");
    }

    [Fact]
    public async Task Shutdown_waits_for_a_running_playbook_that_finishes_within_the_grace_period()
    {
        await using var scheduler = Start(sleep: "00:05:00");
        await StopWhileLongRunsAsync(scheduler);

        scheduler.Fake.Advance(TimeSpan.FromMinutes(4));
        await Task.Delay(100);
        Assert.False(scheduler.HasStopped);
        scheduler.Fake.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(0, await scheduler.CompletionAsync());
        Assert.Empty(scheduler.Of(ScheduleEventKind.Cancelling));
        var record = RunRecords.Latest(scheduler.StateDirectory, "long");
        Assert.Equal("succeeded", record.GetProperty("status").GetString());
        Assert.Contains("scheduler: stopping; no new runs. Waiting up to 10m for long", scheduler.Output);
        Assert.Single(scheduler.Of(ScheduleEventKind.Fired, "quick"));
    }

    [Fact]
    public async Task After_the_grace_period_a_running_playbook_is_cancelled_its_always_steps_run_and_the_exit_code_is_0()
    {
        await using var scheduler = Start(sleep: "01:00:00");
        await StopWhileLongRunsAsync(scheduler);

        scheduler.Fake.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        await Task.Delay(100);
        Assert.False(scheduler.HasStopped);
        Assert.Empty(scheduler.Of(ScheduleEventKind.Cancelling));
        Assert.False(File.Exists(_dir["cancelled"]));
        scheduler.Fake.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(0, await scheduler.CompletionAsync());
        Assert.Equal("long", Assert.Single(scheduler.Of(ScheduleEventKind.Cancelling)).Detail);
        Assert.True(File.Exists(_dir["cancelled"]), "the running step was not cancelled");
        var record = RunRecords.Latest(scheduler.StateDirectory, "long");
        Assert.Equal("cancelled", record.GetProperty("status").GetString());
        Assert.Equal("cancelled", record.Step("wait").Status());
        Assert.Equal("succeeded", record.Step("cleanup").Status());
        Assert.Contains("the grace period is over: cancelling long", scheduler.Error);

        // No new run started after the stop, though quick's 09:05 tick passed meanwhile.
        Assert.Single(scheduler.Of(ScheduleEventKind.Fired, "quick"));
    }

    [Fact]
    public async Task A_scheduler_with_nothing_running_stops_at_once_with_exit_code_0()
    {
        await using var scheduler = new SchedulerHarness(_dir, Utc("2026-06-01T08:58:00Z"));
        scheduler.Write("quick.yaml", Echo("quick", "*/5 * * * *"));
        await scheduler.StartAsync();

        Assert.Equal(0, await scheduler.StopAsync());
        Assert.Contains("scheduler: stopped", scheduler.Output);
    }
}
