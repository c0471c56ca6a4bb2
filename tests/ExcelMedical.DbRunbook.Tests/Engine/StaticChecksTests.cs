using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Engine;

/// <summary>What `runbook validate` rejects before anything runs: values that would fail or misbehave only at run time.</summary>
public sealed class StaticChecksTests : IDisposable
{
    private const string Hostile = "TestData/Playbooks/hostile";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("static-checks.yaml", "10:14: 'timeout' is too long: at most 49d, not '99999999999999h'")]
    [InlineData("static-checks.yaml", "14:14: 'timeout' must be longer than 0 (leave it out for no timeout)")]
    [InlineData("static-checks.yaml", "3:38: 'port' of connection 'postgres' must be a TCP port from 1 to 65535, not '70000'")]
    [InlineData("static-checks.yaml", "4:37: 'port' of connection 'replica' must be a TCP port from 1 to 65535, not '0'")]
    [InlineData("static-checks.yaml", "6:33: template error: 'date' has no member 'to_strin' (did you mean 'to_string'?)")]
    [InlineData("static-checks.yaml", "18:19: 'root' of step 'prune' (backups.prune): must not be the file system root '/'; name the folder itself")]
    [InlineData("cron-zero-step.yaml", "2:11: 'schedule' has a step of 0 ('*/0' in '*/0 * * * *'): a step counts how many values to skip and must be 1 or more, e.g. */15")]
    [InlineData("cron-never.yaml", "2:11: 'schedule' never fires: no date matches '0 2 31 2 *' (e.g. 31 February); check the day-of-month and month fields")]
    public async Task Validate_rejects_at_the_line_of_the_value(string file, string expected)
    {
        var result = await new RunbookCliHarness(_dir["state"]).RunAsync("validate", $"{Hostile}/{file}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{Hostile}/{file}:{expected}", result.Error.Split('\n'));
    }

    [Theory]
    [InlineData("retry_delay: 60d", "'retry_delay' is too long: at most 49d, not '60d'")]
    [InlineData("timeout: 1e300", "'timeout' is too long: at most 49d, not '1e300'")]
    [InlineData("timeout: 99999999:00:00", "'timeout' must be a duration such as 30s, 5m, 1h30m or 00:05:00, not '99999999:00:00'")]
    public async Task Durations_a_timer_cannot_wait_are_errors_not_crashes(string line, string expected)
    {
        var file = _dir.Write("durations.yaml", $"name: durations\nsteps:\n  - id: one\n    uses: shell\n    {line}\n    with: {{ program: echo }}\n");

        var result = await new RunbookCliHarness(_dir["state"]).RunAsync("validate", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{file}:5:", result.Error);
        Assert.Contains(expected, result.Error);
    }

    [Fact]
    public async Task A_prune_root_that_renders_to_slash_is_refused_before_the_step_runs()
    {
        var file = _dir.Write("prune.yaml", """
            name: prune
            vars:
              root: "{{ '/' }}"
            steps:
              - id: prune
                uses: backups.prune
                with: { root: "{{ vars.root }}" }
            """);

        var result = await new RunbookCliHarness(_dir["state"]).RunAsync("run", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("'root' of step 'prune' (backups.prune): must not be the file system root '/'", result.All);
    }

    [Fact]
    public async Task Builtin_members_that_exist_are_accepted()
    {
        var file = _dir.Write("builtins.yaml", """
            name: builtins
            vars:
              day: "{{ run.started | date.to_string '%Y-%m-%d' }}"
              loud: "{{ 'x' | string.upcase }}"
              half: "{{ math.round 1.5 }}"
            steps:
              - id: one
                uses: shell
                with: { program: echo, args: ["{{ vars.day | string.size }}"] }
            """);

        var result = await new RunbookCliHarness(_dir["state"]).RunAsync("validate", file);

        Assert.True(result.ExitCode == 0, result.All);
    }
}
