using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.State;
using ExcelMedical.DbRunbook.Testing.Slack;
using ExcelMedical.DbRunbook.Testing.Smtp;
using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Engine;

/// <summary>
/// A run that cannot start, or cannot record its end, is still a run: it fails with the reason,
/// reaches the playbook's failure notifiers (the real SMTP and Slack fixtures) and leaves a record
/// that `runbook history` lists. The broken environments are real: read-only mounts (root ignores
/// permission bits, so a chmod would prove nothing), a broken env file, a template that fails.
/// </summary>
public sealed class SetupFailureTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly TempDirectory _dir = new();
    private readonly SmtpServer _smtp = new();
    private readonly SlackReceiver _slack = new();

    public void Dispose()
    {
        _smtp.Dispose();
        _slack.Dispose();
        _dir.Dispose();
    }

    private RunbookCliHarness Cli(string? state = null, IDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["BACKUPS"] = _dir["backups"],
            ["SLACK_WEBHOOK_URL"] = _slack.WebhookUrl.ToString(),
            ["SMTP_HOST"] = _smtp.Host,
            ["SMTP_PORT"] = _smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["XDG_RUNTIME_DIR"] = _dir["runtime"],
        };
        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        Directory.CreateDirectory(_dir["runtime"]);
        return new RunbookCliHarness(state ?? _dir["state"], environment);
    }

    /// <summary>The guide's shape: the log file and the dump in the day's backup folder.</summary>
    private string Playbook(string log = "{{ env.BACKUPS }}/{{ vars.day }}/nightly.log", string steps = "") => _dir.Write("nightly.yaml", $$$"""
        name: nightly
        vars:
          day: "2026-11-25"
        log: "{{{log}}}"
        steps:
        {{{steps}}}
          - id: dump
            uses: shell
            with: { program: touch, args: ["{{ env.BACKUPS }}/{{ vars.day }}/dump.sql"] }
        notify:
          - uses: notify.email
            on: [failure]
            with: { to: dba@example.com }
          - uses: notify.slack
            on: [failure]
            with: { webhook: "{{ env.SLACK_WEBHOOK_URL }}" }
        """);

    /// <summary>Both channels carried the failure and its reason.</summary>
    private async Task AssertToldAsync(string reason, CliResult result)
    {
        Assert.True(result.All.Contains("Notification notify.email sent", StringComparison.Ordinal), result.All);
        var mail = await _smtp.WaitForMessageAsync(null, Patience);
        Assert.Contains("nightly failed", mail.Subject, StringComparison.Ordinal);
        Assert.True(mail.TextBody?.Contains(reason, StringComparison.Ordinal), $"the mail does not say '{reason}':\n{mail.TextBody}\nconsole:\n{result.All}");
        var webhook = await _slack.WaitForRequestAsync(Patience);
        Assert.Contains(reason, webhook.Body, StringComparison.Ordinal);
    }

    private static StoredRun OnlyRun(string stateDirectory)
    {
        var run = Assert.Single(new RunStore(stateDirectory).History("nightly"));
        Assert.Equal(RunStatus.Failed, run.Status);
        return run;
    }

    [RootFact("mounts a read-only tmpfs: root ignores permission bits")]
    public async Task A_read_only_backup_folder_fails_the_run_with_notifications_a_record_and_a_line_in_history()
    {
        await using var backups = await ReadOnlyMount.CreateAsync(_dir["backups"]);
        var cli = Cli();

        var result = await cli.RunAsync("run", Playbook());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot create the log file", result.All, StringComparison.Ordinal);
        await AssertToldAsync("cannot create the log file", result);
        var run = OnlyRun(_dir["state"]);
        Assert.Contains($"cannot create the log file {_dir["backups"]}/2026-11-25/nightly.log", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.StepList);
        Assert.Null(run.LogFile);
        var history = await cli.RunAsync("history");
        Assert.Contains("nightly", history.Output, StringComparison.Ordinal);
        Assert.Contains("failed", history.Output, StringComparison.Ordinal);
        Assert.Contains("cannot create the log file", history.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_log_path_that_fails_to_render_is_told_and_recorded_and_nothing_runs()
    {
        var cli = Cli(extra: new Dictionary<string, string> { ["SHARDS"] = "0" });

        var result = await cli.RunAsync("run", Playbook(log: "{{ env.BACKUPS }}/shard-{{ 100 // (env.SHARDS | string.to_int) }}.log"));

        Assert.Equal(1, result.ExitCode);
        await AssertToldAsync("the run could not be prepared", result);
        var run = OnlyRun(_dir["state"]);
        Assert.Contains("cannot render", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.StepList);
        Assert.False(File.Exists(_dir["backups/2026-11-25/dump.sql"]));
    }

    [Fact]
    public async Task A_broken_env_file_is_told_and_recorded()
    {
        var envFile = _dir.Write("broken.env", "POSTGRES_HOST=db\nthis line has no equals sign\n");
        var cli = Cli();

        var result = await cli.RunAsync("run", Playbook(), "--env-file", envFile);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{envFile}:2:1: expected NAME=value", result.All, StringComparison.Ordinal);
        await AssertToldAsync("expected NAME=value", result);
        Assert.Contains("expected NAME=value", OnlyRun(_dir["state"]).Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir["backups/2026-11-25/dump.sql"]));
    }

    [RootFact("mounts a read-only tmpfs: root ignores permission bits")]
    public async Task A_read_only_state_directory_is_told_and_the_record_goes_to_the_fallback_folder_that_history_reads()
    {
        await using var state = await ReadOnlyMount.CreateAsync(_dir["state"]);
        var cli = Cli(state: state.Path);

        var result = await cli.RunAsync("run", Playbook());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot use the state directory", result.All, StringComparison.Ordinal);
        await AssertToldAsync("cannot use the state directory", result);
        var fallback = _dir["runtime/runbook"];
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(fallback));
        Assert.Contains("cannot use the state directory", OnlyRun(fallback).Error, StringComparison.Ordinal);
        Assert.Contains($"it was written to {fallback}/runs/nightly/", result.All, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir["backups/2026-11-25/dump.sql"]), "a run without its lock must not start its steps");

        var history = await cli.RunAsync("history");
        Assert.Contains("nightly", history.Output, StringComparison.Ordinal);
        Assert.Contains("cannot use the state directory", history.Output, StringComparison.Ordinal);
        Assert.Contains($"recorded in {fallback}", history.Output, StringComparison.Ordinal);
    }

    [RootFact("mounts a read-only tmpfs: root ignores permission bits")]
    public async Task A_record_the_state_directory_cannot_take_at_the_end_fails_the_run_and_is_told()
    {
        // The steps succeed; then the playbook's record folder becomes read-only under the run.
        var records = Path.Combine(_dir["state"], "runs", "nightly");
        Directory.CreateDirectory(_dir["backups/2026-11-25"]);
        var cli = Cli();
        try
        {
            var result = await cli.RunAsync("run", Playbook(steps: $$"""
                  - id: break_state
                    uses: shell
                    with: { program: mount, args: ["-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", "{{records}}"] }
                """));

            Assert.Equal(1, result.ExitCode);
            Assert.True(File.Exists(_dir["backups/2026-11-25/dump.sql"]), result.All);
            await AssertToldAsync("the run record cannot be written to the state directory", result);
            var run = OnlyRun(_dir["runtime/runbook"]);
            Assert.Equal(StepStatus.Succeeded, run.Step("dump")!.Status);
            Assert.Contains("the run record cannot be written to the state directory", run.Error, StringComparison.Ordinal);
        }
        finally
        {
            await Shell.RunAsync($"umount '{records}'");
        }
    }
}
