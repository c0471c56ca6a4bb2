using System.Collections.Concurrent;
using System.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Loading;
using ExcelMedical.DbRunbook.Engine.Scheduling;
using ExcelMedical.DbRunbook.Engine.Secrets;
using ExcelMedical.DbRunbook.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static ExcelMedical.DbRunbook.Tests.Scheduling.SchedulerTimingTests;

namespace ExcelMedical.DbRunbook.Tests.Scheduling;

/// <summary>The `runbook schedule` and `runbook cron` command lines.</summary>
public sealed class ScheduleCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private RunbookCliHarness Cli(string now = "2026-03-07T12:00:00Z") =>
        new(_dir["state"], time: new FakeTimeProvider(Utc(now)));

    private void ShippedLikePlaybooks()
    {
        _dir.Write("playbooks/backup.yaml", Echo("backup", "0 2 * * *", "description: Daily backups\ntime_zone: America/New_York\ncatch_up: 6h"));
        _dir.Write("playbooks/monitor.yaml", Echo("monitor", "*/15 * * * *"));
        _dir.Write("playbooks/restore.yaml", """
            name: restore
            steps:
              - id: hello
                uses: test.echo
            """);
    }

    [Fact]
    public async Task List_prints_the_next_fire_times_of_each_playbook_in_its_time_zone_and_exits()
    {
        ShippedLikePlaybooks();

        var result = await Cli().RunAsync("schedule", _dir["playbooks"], "--list", "-n", "3");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(
            $"""
            backup: "0 2 * * *" in America/New_York, catch_up 6h  <dir>/backup.yaml
              2026-03-08 03:00:00 -04:00  Sun
              2026-03-09 02:00:00 -04:00  Mon
              2026-03-10 02:00:00 -04:00  Tue
            monitor: "*/15 * * * *" in UTC  <dir>/monitor.yaml
              2026-03-07 12:15:00 +00:00  Sat
              2026-03-07 12:30:00 +00:00  Sat
              2026-03-07 12:45:00 +00:00  Sat
            restore: not scheduled (no 'schedule')  <dir>/restore.yaml

            """,
            result.Output.Replace(_dir["playbooks"], "<dir>", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cron_prints_the_equivalent_crontab_with_the_time_zone_of_each_playbook()
    {
        ShippedLikePlaybooks();

        var result = await Cli().RunAsync("cron", _dir["playbooks"], "--executable", "/opt/runbook/runbook");

        Assert.True(result.ExitCode == 0, result.All);
        var lines = result.Output.Replace(_dir["playbooks"], "<dir>", StringComparison.Ordinal).Split('\n');
        Assert.Contains("*/15 * * * * /opt/runbook/runbook run <dir>/monitor.yaml --quiet", lines);
        Assert.Contains("CRON_TZ=America/New_York", lines);
        Assert.Contains("0 2 * * * /opt/runbook/runbook run <dir>/backup.yaml --quiet", lines);
        Assert.Contains("# backup: Daily backups", lines);
        Assert.Contains("# restore (<dir>/restore.yaml) has no schedule: run it by hand.", lines);
        Assert.True(Array.IndexOf(lines, "*/15 * * * * /opt/runbook/runbook run <dir>/monitor.yaml --quiet") < Array.IndexOf(lines, "CRON_TZ=America/New_York"), "host-zone lines must come before any CRON_TZ line");
    }

    [Fact]
    public void Cron_quotes_paths_the_shell_would_split_and_escapes_percent_signs()
    {
        var playbook = PlaybookReader.Parse(Echo("odd", "0 3 * * *"), "/srv/run books/100%.yaml", new DiagnosticBag())!;

        var crontab = CrontabExport.Render([playbook], "/usr/local/bin/runbook", new FakeTimeProvider());

        Assert.Contains("0 3 * * * /usr/local/bin/runbook run '/srv/run books/100\\%.yaml' --quiet", crontab);
    }

    [Fact]
    public async Task Invalid_coordination_and_catch_up_values_are_reported_with_their_location()
    {
        _dir.Write("playbooks/bad.yaml", """
            name: bad
            schedule: "0 2 * * *"
            catch_up: soon
            coordination: pgg
            connections:
              pg: { host: localhost, database: app }
              mongo: { uri: "mongodb://localhost" }
            steps:
              - id: hello
                uses: test.echo
            """);
        _dir.Write("playbooks/mongo.yaml", """
            name: mongo
            coordination: mongo
            connections:
              mongo: { uri: "mongodb://localhost" }
            steps:
              - id: hello
                uses: test.echo
            """);

        var result = await Cli().RunAsync("validate", _dir["playbooks"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("bad.yaml:3:11: 'catch_up' must be a duration such as 30s, 5m, 1h30m or 00:05:00, not 'soon'", result.Error);
        Assert.Contains("bad.yaml:4:15: 'coordination' names the connection 'pgg', which is not defined under 'connections:' (did you mean 'pg'?)", result.Error);
        Assert.Contains("mongo.yaml:2:15: 'coordination' needs a PostgreSQL connection (host, port, user, password, database); 'mongo' is not one", result.Error);
    }

    [Fact]
    public async Task A_missing_folder_is_a_usage_error()
    {
        var result = await Cli().RunAsync("schedule", _dir["nowhere"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no such file or folder", result.Error);
    }

    [Fact]
    public async Task History_shows_a_skipped_tick_with_its_reason()
    {
        var playbook = PlaybookReader.Parse(Echo("monitor", "*/15 * * * *"), _dir["monitor.yaml"], new DiagnosticBag())!;
        SkippedRun.Save(_dir["state"], playbook, Utc("2026-03-07T12:15:00Z"), "schedule", "tick 12:15 skipped: the schedule run of 12:00 is still running", Utc("2026-03-07T12:15:00Z"), "host-a", new SecretMasker());

        var result = await Cli().RunAsync("history");

        var line = Assert.Single(result.Output.Split('\n'), l => l.Contains("monitor", StringComparison.Ordinal));
        Assert.Matches(@"monitor +skipped +\S+ +schedule +tick 12:15 skipped: the schedule run of 12:00 is still running$", line);
    }

    [Fact]
    public async Task The_real_process_catches_up_on_start_and_on_SIGTERM_cancels_after_the_grace_period_runs_always_steps_and_exits_0()
    {
        _dir.Write("playbooks/long.yaml", """
            name: long
            schedule: "0 0 * * *"
            catch_up: 2d
            steps:
              - id: wait
                uses: shell
                with: { program: sleep, args: ["300"] }
              - id: cleanup
                uses: shell
                always: true
                with: { program: touch, args: ["cleanup-ran"] }
            """);
        new ScheduleState(_dir["state"]).Record("long", Utc("2020-01-01T00:00:00Z"));
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _dir["playbooks"] };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "runbook.dll"), "schedule", _dir["playbooks"], "--grace-period", "2s" })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["RUNBOOK_STATE_DIR"] = _dir["state"];
        using var runbook = Process.Start(info)!;
        var output = new ConcurrentQueue<string>();
        runbook.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        runbook.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        runbook.BeginOutputReadLine();
        runbook.BeginErrorReadLine();
        try
        {
            var clock = Stopwatch.StartNew();
            while (!output.Any(l => l.Contains("$ sleep 300", StringComparison.Ordinal)) && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50);
            }

            Assert.True(output.Any(l => l.Contains("catching it up now (catch_up 2d)", StringComparison.Ordinal)), string.Join('\n', output));
            Assert.True(output.Any(l => l.Contains("$ sleep 300", StringComparison.Ordinal)), string.Join('\n', output));
            var stopAsked = Stopwatch.StartNew();
            await Shell.RunAsync($"kill -TERM {runbook.Id}");
            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await runbook.WaitForExitAsync(exited.Token);

            Assert.True(runbook.ExitCode == 0, string.Join('\n', output));
            Assert.True(stopAsked.Elapsed >= TimeSpan.FromSeconds(1.5), $"stopped after {stopAsked.Elapsed}, before the grace period");
            Assert.True(File.Exists(_dir["playbooks/cleanup-ran"]), "the always step did not run");
            var record = RunRecords.Latest(_dir["state"], "long");
            Assert.Equal("catch-up", record.GetProperty("trigger").GetString());
            Assert.Equal("cancelled", record.GetProperty("status").GetString());
            Assert.Contains(output, l => l.Contains("the grace period is over: cancelling long", StringComparison.Ordinal));
            Assert.Contains(output, l => l.Contains("scheduler: stopped", StringComparison.Ordinal));
        }
        finally
        {
            if (!runbook.HasExited)
            {
                runbook.Kill(entireProcessTree: true);
            }
        }
    }
}
