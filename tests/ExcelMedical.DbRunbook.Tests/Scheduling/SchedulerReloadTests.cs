using ExcelMedical.DbRunbook.Engine.Scheduling;
using ExcelMedical.DbRunbook.Tests.Support;
using static ExcelMedical.DbRunbook.Tests.Scheduling.SchedulerTimingTests;

namespace ExcelMedical.DbRunbook.Tests.Scheduling;

/// <summary>Playbook files are watched: edits, broken edits, new and removed files.</summary>
public sealed class SchedulerReloadTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Versioned(string schedule, string version, string stepExtra = "") => $$"""
        name: report
        schedule: "{{schedule}}"
        steps:
          - id: hello
            uses: test.echo
        {{stepExtra}}
            with: { values: { version: "{{version}}" } }
        """;

    private static string VersionOfLatestRun(SchedulerHarness scheduler) =>
        RunRecords.Latest(scheduler.StateDirectory, "report").Step("hello").GetProperty("outputs").GetProperty("version").GetString()!;

    [Fact]
    public async Task An_edited_playbook_is_picked_up_and_a_broken_edit_keeps_the_previous_version_running()
    {
        await using var scheduler = new SchedulerHarness(_dir, Utc("2026-06-01T08:58:00Z"));
        var file = scheduler.Write("report.yaml", Versioned("0 * * * *", "v1"));
        await scheduler.StartAsync();
        await scheduler.AdvanceToAsync(Utc("2026-06-01T09:00:00Z"));
        Assert.Equal("v1", VersionOfLatestRun(scheduler));

        // A valid edit: a new schedule and new content, picked up at the next check.
        File.WriteAllText(file, Versioned("30 * * * *", "v2-edited"));
        await scheduler.AdvanceToAsync(Utc("2026-06-01T09:02:00Z"));
        var reloaded = scheduler.Of(ScheduleEventKind.Loaded, "report")[^1];
        Assert.Equal(Utc("2026-06-01T09:30:00Z"), reloaded.Until);
        Assert.Contains("report: reloaded", scheduler.Output);
        await scheduler.AdvanceToAsync(Utc("2026-06-01T10:05:00Z"));
        Assert.Equal(["2026-06-01 09:00", "2026-06-01 09:30"], StartTimes(scheduler, "report"));
        Assert.Equal("v2-edited", VersionOfLatestRun(scheduler));

        // A broken edit (a misspelt key): reported as file:line:col, the v2 version keeps its schedule.
        File.WriteAllText(file, Versioned("0 * * * *", "v3-broken", "    retires: 2"));
        await scheduler.AdvanceToAsync(Utc("2026-06-01T10:07:00Z"));
        var rejected = Assert.Single(scheduler.Of(ScheduleEventKind.Rejected));
        Assert.Contains("report.yaml:6:5: unknown key 'retires' in a step (did you mean 'retries'?)", rejected.Detail);
        Assert.Contains("report.yaml:6:5: unknown key 'retires' in a step (did you mean 'retries'?)", scheduler.Error);
        Assert.Contains("the previous version of 'report' keeps running on its schedule", scheduler.Error);
        await scheduler.AdvanceToAsync(Utc("2026-06-01T10:45:00Z"));
        Assert.Equal(["2026-06-01 09:00", "2026-06-01 09:30", "2026-06-01 10:30"], StartTimes(scheduler, "report"));
        Assert.Equal("v2-edited", VersionOfLatestRun(scheduler));

        // The fix is picked up again; the broken version is reported once, not at every check.
        File.WriteAllText(file, Versioned("50 * * * *", "v4-fixed"));
        await scheduler.AdvanceToAsync(Utc("2026-06-01T10:51:00Z"));
        Assert.Equal("v4-fixed", VersionOfLatestRun(scheduler));
        Assert.Single(scheduler.Of(ScheduleEventKind.Rejected));
    }

    [Fact]
    public async Task A_new_file_is_scheduled_and_a_removed_one_stops()
    {
        await using var scheduler = new SchedulerHarness(_dir, Utc("2026-06-01T08:58:00Z"));
        scheduler.Write("first.yaml", Echo("first", "*/10 * * * *"));
        await scheduler.StartAsync();

        var second = scheduler.Write("second.yaml", Echo("second", "*/10 * * * *"));
        await scheduler.AdvanceToAsync(Utc("2026-06-01T09:15:00Z"));
        File.Delete(second);
        await scheduler.AdvanceToAsync(Utc("2026-06-01T09:35:00Z"));

        Assert.Equal(["2026-06-01 09:00", "2026-06-01 09:10", "2026-06-01 09:20", "2026-06-01 09:30"], StartTimes(scheduler, "first"));
        Assert.Equal(["2026-06-01 09:00", "2026-06-01 09:10"], StartTimes(scheduler, "second"));
        Assert.Single(scheduler.Of(ScheduleEventKind.Removed, "second"));
    }

    [Fact]
    public async Task A_second_file_with_a_name_already_scheduled_is_refused()
    {
        await using var scheduler = new SchedulerHarness(_dir, Utc("2026-06-01T08:58:00Z"));
        scheduler.Write("a.yaml", Echo("same", "0 9 * * *"));
        scheduler.Write("b.yaml", Echo("same", "0 10 * * *"));
        await scheduler.StartAsync();

        await scheduler.AdvanceToAsync(Utc("2026-06-01T10:30:00Z"));

        Assert.Equal(["2026-06-01 09:00"], StartTimes(scheduler, "same"));
        Assert.Contains("b.yaml:1:1: the playbook name 'same' is already scheduled from", scheduler.Error);
    }
}
