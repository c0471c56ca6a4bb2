using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Engine;

public sealed class ExecutionRulesTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly RunbookCliHarness _cli;

    public ExecutionRulesTests()
    {
        _cli = new RunbookCliHarness(_dir["state"], new Dictionary<string, string> { ["GREETING"] = "hello" });
    }

    public void Dispose() => _dir.Dispose();

    private string Playbook(string name, string steps) =>
        _dir.Write($"{name}.yaml", $"name: {name}\nsteps:\n{steps}");

    [Fact]
    public async Task Retries_rerun_a_failed_step_until_it_succeeds()
    {
        var key = Guid.NewGuid().ToString();
        var file = Playbook("retry", $$$"""
              - id: flaky
                uses: test.flaky
                retries: 2
                retry_delay: 10ms
                with: { key: "{{{key}}}", fail_times: 2 }
            """);

        var result = await _cli.RunAsync("run", file);

        Assert.Equal(0, result.ExitCode);
        var step = RunRecords.Latest(_dir["state"], "retry").Step("flaky");
        Assert.Equal("succeeded", step.Status());
        Assert.Equal(3, step.GetProperty("attempts").GetInt32());
        Assert.Contains("attempt 1/3 failed", result.Output);
    }

    [Fact]
    public async Task Exhausted_retries_fail_the_run_with_the_last_error()
    {
        var key = Guid.NewGuid().ToString();
        var file = Playbook("exhausted", $$$"""
              - id: flaky
                uses: test.flaky
                retries: 1
                retry_delay: 10ms
                with: { key: "{{{key}}}", fail_times: 5 }
            """);

        var result = await _cli.RunAsync("run", file);

        Assert.Equal(1, result.ExitCode);
        var step = RunRecords.Latest(_dir["state"], "exhausted").Step("flaky");
        Assert.Equal("failed", step.Status());
        Assert.Equal(2, step.GetProperty("attempts").GetInt32());
        Assert.Equal("attempt 2 fails on purpose", step.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_step_over_its_timeout_is_cancelled_and_fails_the_run()
    {
        var marker = _dir["cancelled.txt"];
        var file = Playbook("timeout", $$$"""
              - id: slow
                uses: test.sleep
                timeout: 200ms
                with: { for: 5m, cancelled_marker: "{{{marker}}}" }
              - id: after
                uses: test.echo
            """);

        var result = await _cli.RunAsync("run", file);

        Assert.Equal(1, result.ExitCode);
        var record = RunRecords.Latest(_dir["state"], "timeout");
        Assert.Equal("timed_out", record.Step("slow").Status());
        Assert.Equal("timed out after 200ms", record.Step("slow").GetProperty("message").GetString());
        Assert.Equal("skipped", record.Step("after").Status());
        Assert.True(File.Exists(marker), "the step saw its cancellation and cleaned up");
    }

    [Fact]
    public async Task Continue_on_error_records_the_failure_and_the_run_goes_on()
    {
        var file = Playbook("continue", """
              - id: broken
                uses: test.fail
                continue_on_error: true
              - id: next
                uses: test.echo
                with: { values: { seen: "{{ steps.broken.status }}" } }
            """);

        var result = await _cli.RunAsync("run", file);

        Assert.Equal(0, result.ExitCode);
        var record = RunRecords.Latest(_dir["state"], "continue");
        Assert.Equal("warning", record.GetProperty("status").GetString());
        Assert.Contains("broken: failed (continue_on_error): failed on purpose", record.GetProperty("warnings")[0].GetString());
        Assert.Equal("failed", record.Step("broken").Status());
        Assert.True(record.Step("broken").GetProperty("continued_on_error").GetBoolean());
        Assert.Equal("failed", record.Step("next").GetProperty("outputs").GetProperty("seen").GetString());
    }

    [Fact]
    public async Task After_a_failure_later_steps_are_skipped_but_always_steps_run()
    {
        var file = Playbook("always", """
              - id: broken
                uses: test.fail
                with: { message: "disk on fire" }
              - id: skipped
                uses: test.echo
              - id: cleanup
                uses: test.echo
                always: true
                with: { values: { run_status: "{{ run.status }}" } }
            """);

        var result = await _cli.RunAsync("run", file);

        Assert.Equal(1, result.ExitCode);
        var record = RunRecords.Latest(_dir["state"], "always");
        Assert.Equal("skipped", record.Step("skipped").Status());
        Assert.Equal("succeeded", record.Step("cleanup").Status());
        Assert.Equal("failed", record.Step("cleanup").GetProperty("outputs").GetProperty("run_status").GetString());
        Assert.Equal("step 'broken' (test.fail) failed: disk on fire", record.GetProperty("error").GetString());
    }

    [Fact]
    public async Task When_decides_from_environment_and_earlier_outputs()
    {
        var file = Playbook("when", """
              - id: first
                uses: test.echo
                with: { values: { kind: full } }
              - id: runs
                uses: test.echo
                when: "{{ steps.first.outputs.kind == 'full' && env.GREETING == 'hello' }}"
              - id: bare_condition
                uses: test.echo
                when: "env.MISSING_VARIABLE != null"
              - id: literal_false
                uses: test.echo
                when: false
            """);

        var result = await _cli.RunAsync("run", file);

        Assert.Equal(0, result.ExitCode);
        var record = RunRecords.Latest(_dir["state"], "when");
        Assert.Equal("succeeded", record.Step("runs").Status());
        Assert.Equal("skipped", record.Step("bare_condition").Status());
        Assert.Equal("skipped", record.Step("literal_false").Status());
    }

    [Fact]
    public async Task Interrupting_a_run_cancels_the_step_runs_always_steps_and_exits_130()
    {
        var started = _dir["started.txt"];
        var cancelled = _dir["cancelled.txt"];
        var file = Playbook("interrupt", $$$"""
              - id: slow
                uses: test.sleep
                with: { for: 5m, started_marker: "{{{started}}}", cancelled_marker: "{{{cancelled}}}" }
              - id: never
                uses: test.echo
              - id: cleanup
                uses: test.echo
                always: true
                with: { values: { status: "{{ run.status }}" } }
            """);
        using var interrupt = new CancellationTokenSource();

        var run = _cli.RunAsync(["run", file], interrupt.Token);
        await WaitForFileAsync(started);
        await interrupt.CancelAsync();
        var result = await run;

        Assert.Equal(130, result.ExitCode);
        var record = RunRecords.Latest(_dir["state"], "interrupt");
        Assert.Equal("cancelled", record.GetProperty("status").GetString());
        Assert.Equal("cancelled", record.Step("slow").Status());
        Assert.Equal("skipped", record.Step("never").Status());
        Assert.Equal("succeeded", record.Step("cleanup").Status());
        Assert.Equal("cancelled", record.Step("cleanup").GetProperty("outputs").GetProperty("status").GetString());
        Assert.True(File.Exists(cancelled));
    }

    [Fact]
    public async Task A_second_run_of_a_running_playbook_is_refused_with_exit_code_75()
    {
        var started = _dir["started.txt"];
        var file = Playbook("locked", $$$"""
              - id: slow
                uses: test.sleep
                with: { for: 5m, started_marker: "{{{started}}}" }
            """);
        using var stop = new CancellationTokenSource();
        var first = _cli.RunAsync(["run", file], stop.Token);
        await WaitForFileAsync(started);

        var second = await _cli.RunAsync("run", file);

        await stop.CancelAsync();
        await first;
        Assert.Equal(75, second.ExitCode);
        Assert.Contains("playbook 'locked' is already running (pid ", second.Error);
        Assert.Single(Directory.GetFiles(Path.Combine(_dir["state"], "runs", "locked")));

        var third = await _cli.RunAsync("run", file, "--dry-run");
        Assert.Equal(0, third.ExitCode);
    }

    [Fact]
    public async Task Outputs_of_a_step_feed_the_options_of_later_steps()
    {
        var file = Playbook("outputs", """
              - id: first
                uses: test.echo
                with: { values: { file: "/backups/x.sql.gz" } }
              - id: second
                uses: test.echo
                with: { values: { copy: "{{ steps.first.outputs.file }}.copy", greeting: "{{ env.GREETING | string.upcase }}" } }
            """);

        var result = await _cli.RunAsync("run", file);

        Assert.Equal(0, result.ExitCode);
        var outputs = RunRecords.Latest(_dir["state"], "outputs").Step("second").GetProperty("outputs");
        Assert.Equal("/backups/x.sql.gz.copy", outputs.GetProperty("copy").GetString());
        Assert.Equal("HELLO", outputs.GetProperty("greeting").GetString());
    }

    [Fact]
    public async Task An_invalid_playbook_exits_2_and_runs_nothing()
    {
        var marker = _dir["ran.txt"];
        var file = Playbook("invalid", $$$"""
              - id: writes
                uses: shell
                with: { program: touch, args: ["{{{marker}}}"] }
              - id: bad
                uses: shell
                with: { program: echo, colour: red }
            """);

        var result = await _cli.RunAsync("run", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown option 'colour' for step 'bad' (shell)", result.Error);
        Assert.False(File.Exists(marker));
        Assert.False(Directory.Exists(Path.Combine(_dir["state"], "runs")));
    }

    [Fact]
    public async Task Every_run_leaves_a_json_record_and_history_lists_it()
    {
        var file = Playbook("recorded", """
              - id: one
                uses: test.echo
                with: { values: { rows: "42" } }
              - id: two
                uses: test.fail
                continue_on_error: true
            """);

        await _cli.RunAsync("run", file);
        var history = await _cli.RunAsync("history");

        // A failure under continue_on_error leaves something for a human: the run ends warning, exit 0.
        var record = RunRecords.Latest(_dir["state"], "recorded");
        Assert.Equal("warning", record.GetProperty("status").GetString());
        Assert.Equal(0, record.GetProperty("exit_code").GetInt32());
        Assert.Equal("42", record.Step("one").GetProperty("outputs").GetProperty("rows").GetString());
        Assert.True(record.Step("one").TryGetProperty("duration", out _));
        Assert.Equal(0, history.ExitCode);
        Assert.Matches(@"recorded\s+warning .*two: failed \(continue_on_error\): failed on purpose", history.Output);
    }

    private static async Task WaitForFileAsync(string path)
    {
        for (var i = 0; i < 200 && !File.Exists(path); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(File.Exists(path), $"{path} did not appear");
    }
}
