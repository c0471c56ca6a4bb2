using ExcelMedical.DbRunbook.Engine.Scheduling;
using ExcelMedical.DbRunbook.Tests.Support;
using static ExcelMedical.DbRunbook.Tests.Scheduling.SchedulerTimingTests;

namespace ExcelMedical.DbRunbook.Tests.Scheduling;

/// <summary>
/// One hostile playbook in the scheduler's folder (or a hostile edit of one) costs its load
/// budget and nothing more: it is reported, the others keep their schedule, and an edited
/// playbook's previous valid version keeps running.
/// </summary>
public sealed class HostileScheduleTests : IDisposable
{
    private static readonly string HostileFolder = Path.Combine(AppContext.BaseDirectory, "TestData/Playbooks/hostile");

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Hostile_edits_of_one_playbook_keep_its_previous_version_and_every_other_playbook_on_schedule()
    {
        await using var scheduler = new SchedulerHarness(_dir, Utc("2026-06-01T08:58:00Z"));
        scheduler.Write("steady.yaml", Echo("steady", "*/10 * * * *"));
        var victim = scheduler.Write("victim.yaml", Echo("victim", "*/10 * * * *"));
        await scheduler.StartAsync();
        await scheduler.AdvanceToAsync(Utc("2026-06-01T09:00:00Z"));

        // Each edit lands between two ticks; the files are checked every minute.
        var edits = new Func<Task>[]
        {
            () => File.WriteAllTextAsync(victim, File.ReadAllText(Path.Combine(HostileFolder, "alias-bomb.yaml"))),
            () => File.WriteAllTextAsync(victim, "name: victim\nsteps:\n" + string.Concat(Enumerable.Repeat("  - { id: x, uses: shell, with: { program: echo } }\n", 40_000))),
            () => File.WriteAllBytesAsync(victim, File.ReadAllBytes(Path.Combine(HostileFolder, "invalid-utf8.yaml"))),
            async () =>
            {
                File.Delete(victim);
                Assert.Equal(0, (await Shell.RunAsync($"mkfifo '{victim}'")).ExitCode);
            },
        };
        foreach (var edit in edits)
        {
            await edit();
            await scheduler.AdvanceAsync(TimeSpan.FromMinutes(10));
        }

        Assert.Equal(4, scheduler.Of(ScheduleEventKind.Rejected).Count);
        Assert.Contains("victim.yaml:8:18: the alias '*e' repeats", scheduler.Error);
        Assert.Contains("victim.yaml: the playbook is 2.0 MiB, more than the limit of 1.0 MiB; it is not read", scheduler.Error);
        Assert.Contains("victim.yaml:4:12: the file is not valid UTF-8", scheduler.Error);
        Assert.Contains("victim.yaml: cannot read the playbook: it is a FIFO (named pipe)", scheduler.Error);
        Assert.Contains("the previous version of 'victim' keeps running on its schedule", scheduler.Error);

        // Both kept every ten-minute tick.
        string[] ticks = ["2026-06-01 09:00", "2026-06-01 09:10", "2026-06-01 09:20", "2026-06-01 09:30", "2026-06-01 09:40"];
        Assert.Equal(ticks, StartTimes(scheduler, "steady"));
        Assert.Equal(ticks, StartTimes(scheduler, "victim"));
    }

    [Fact]
    public async Task A_variable_that_renders_for_minutes_costs_its_render_limit_not_the_schedule()
    {
        await using var scheduler = new SchedulerHarness(_dir, Utc("2026-06-01T08:58:00Z"));
        scheduler.Write("steady.yaml", Echo("steady", "*/10 * * * *"));
        scheduler.Write("looper.yaml", """
            name: looper
            schedule: "*/10 * * * *"
            vars:
              forever: "{{ for i in 1..1000000 }}{{ x = '' | string.pad_left 100000 }}{{ end }}"
            steps:
              - id: hello
                uses: test.echo
            """);

        // Loading renders the variables (to learn secrets): 100 GB of padding would take minutes;
        // bounded, the scheduler starts and runs the others.
        await scheduler.StartAsync();
        await scheduler.AdvanceToAsync(Utc("2026-06-01T09:00:00Z"));

        Assert.Equal(["2026-06-01 09:00"], StartTimes(scheduler, "steady"));
        Assert.Equal("succeeded", RunRecords.Latest(scheduler.StateDirectory, "steady").GetProperty("status").GetString());
        Assert.True(scheduler.All.Contains("took longer than 10s to render; a playbook value must not loop for long", StringComparison.Ordinal), scheduler.All);
        Assert.Matches(@"looper: the schedule run of 2026-06-01 09:00:00 \+00:00 failed in \S+ \(exit code 1\)", scheduler.All);

        // A run that cannot render its values is still recorded (and notified), with the reason.
        var looper = RunRecords.Latest(scheduler.StateDirectory, "looper");
        Assert.Equal("failed", looper.GetProperty("status").GetString());
        Assert.Contains("took longer than 10s to render", looper.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_real_scheduler_survives_hostile_files_and_a_hostile_edit_and_runs_the_others_at_their_next_tick()
    {
        var folder = _dir["playbooks"];
        Directory.CreateDirectory(folder);
        foreach (var hostile in new[] { "deep-nesting.yaml", "alias-bomb.yaml", "invalid-utf8.yaml", "two-documents.yaml" })
        {
            File.Copy(Path.Combine(HostileFolder, hostile), Path.Combine(folder, hostile));
        }

        Assert.Equal(0, (await Shell.RunAsync($"mkfifo '{Path.Combine(folder, "pipe.yaml")}'")).ExitCode);
        _dir.Write("playbooks/steady.yaml", Touching("steady"));
        var victim = _dir.Write("playbooks/victim.yaml", Touching("victim"));

        using var runbook = RunbookProcess.Start(folder, _dir["state"], ["schedule", folder, "--poll-interval", "200ms"], heapLimitBytes: 400L * 1024 * 1024);
        Assert.True(await runbook.WaitForLineAsync(l => l.Contains("victim: loaded", StringComparison.Ordinal), TimeSpan.FromSeconds(60)), runbook.Output);
        Assert.True(await runbook.WaitForLineAsync(l => l.Contains("steady: loaded", StringComparison.Ordinal), TimeSpan.FromSeconds(10)), runbook.Output);

        // A hostile edit of a running playbook: its previous version stays.
        await File.WriteAllTextAsync(victim, await File.ReadAllTextAsync(Path.Combine(HostileFolder, "deep-nesting.yaml")));
        Assert.True(
            await runbook.WaitForLineAsync(l => l.Contains("victim.yaml is not valid (problems above); the previous version of 'victim' keeps running on its schedule", StringComparison.Ordinal), TimeSpan.FromSeconds(30)),
            runbook.Output);

        // Every minute is a tick: both run at the next one, from the same process.
        var steady = Path.Combine(folder, "steady-ran");
        var edited = Path.Combine(folder, "victim-ran");
        for (var waited = 0; waited < 150 && !(File.Exists(steady) && File.Exists(edited)); waited++)
        {
            await Task.Delay(500);
        }

        Assert.False(runbook.HasExited, runbook.Output);
        Assert.True(File.Exists(steady), "steady did not run at its tick:\n" + runbook.Output);
        Assert.True(File.Exists(edited), "the previous version of victim did not run at its tick:\n" + runbook.Output);
        foreach (var hostile in new[] { "deep-nesting.yaml:2:71", "alias-bomb.yaml:8:18", "invalid-utf8.yaml:4:12", "two-documents.yaml:6:1", "pipe.yaml: cannot read the playbook: it is a FIFO" })
        {
            Assert.Contains(runbook.Lines, l => l.Contains(hostile, StringComparison.Ordinal));
        }

        Assert.DoesNotContain("Stack overflow", runbook.Output);
        Assert.DoesNotContain("   at ", runbook.Output);
        await Shell.RunAsync($"kill -TERM {runbook.Id}");
        Assert.True(await runbook.WaitForExitAsync(TimeSpan.FromSeconds(30)), runbook.Output);
        Assert.Equal(0, runbook.ExitCode);
    }

    private static string Touching(string name) => $$"""
        name: {{name}}
        schedule: "* * * * *"
        steps:
          - id: mark
            uses: shell
            with: { program: touch, args: ["{{name}}-ran"] }
        """;
}
