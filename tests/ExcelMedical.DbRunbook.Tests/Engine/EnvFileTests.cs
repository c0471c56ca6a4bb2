using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Engine;

/// <summary>The playbook's env_file: read only when it is a regular file of bounded size; its mistakes told at its own lines.</summary>
public sealed class EnvFileTests : IDisposable
{
    private const string Hostile = "TestData/Playbooks/hostile";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Playbook(string envFile) => _dir.Write("env.yaml", $$$"""
        name: env
        env_file: {{{envFile}}}
        steps:
          - id: one
            uses: shell
            with: { program: echo, args: ["{{ env.GREETING ?? 'nobody' }}"] }
        """);

    [Fact]
    public async Task Validate_reports_the_env_files_mistakes_at_the_env_files_own_lines()
    {
        var result = await new RunbookCliHarness(_dir["state"]).RunAsync("validate", $"{Hostile}/env-file-errors.yaml");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            [
                $"{Hostile}/env-file-errors.env:3:1: expected NAME=value",
                $"{Hostile}/env-file-errors.env:4:1: the name before '=' must be letters, digits and _ (not starting with a digit)",
                $"{Hostile}/env-file-errors.env:5:19: the value of SLACK_WEBHOOK_URL opens a \" quote that is not closed on this line",
                "3 problem(s) in 1 of 1 playbook(s)",
            ],
            result.Error.Trim().Split('\n'));
    }

    [Fact]
    public async Task A_missing_env_file_is_named_in_a_warning_by_validate_and_by_the_run()
    {
        var file = Playbook("missing.env");
        var cli = new RunbookCliHarness(_dir["state"]);

        var validate = await cli.RunAsync("validate", file);
        var run = await cli.RunAsync("run", file);

        Assert.Equal(0, validate.ExitCode);
        Assert.Equal($"{file}:2:11: warning: the env_file {_dir["missing.env"]} does not exist; a run reads only the process environment", validate.Error.Trim());
        Assert.Equal("1 playbook(s) valid (1 warning(s) above)", validate.Output.Trim());
        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"warning: the env_file {_dir["missing.env"]} does not exist; only the process environment is used", run.All);
    }

    [Fact]
    public async Task An_env_file_that_is_a_device_is_refused_without_reading_it()
    {
        var file = Playbook("/dev/zero");

        var result = await new RunbookCliHarness(_dir["state"]).RunAsync("run", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{file}:2:11: env_file /dev/zero: cannot read the env file: it is a character device, and only regular files are read", result.Error);
    }

    [Fact]
    public async Task An_env_file_over_the_size_limit_is_refused()
    {
        _dir.Write("big.env", string.Concat(Enumerable.Repeat("# padding padding padding padding padding padding padding padding\n", 5_000)));
        var file = Playbook("big.env");

        var result = await new RunbookCliHarness(_dir["state"]).RunAsync("validate", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{file}:2:11: env_file {_dir["big.env"]}: the env file is 322.3 KiB, more than the limit of 256.0 KiB; it is not read", result.Error);
    }

    [Fact]
    public async Task A_good_env_file_is_read_with_the_real_environment_winning()
    {
        _dir.Write("good.env", "export GREETING='from the file'\nOTHER=\"x\" # comment\n");
        var file = Playbook("good.env");

        var fromFile = await new RunbookCliHarness(_dir["state"]).RunAsync("run", file);
        var fromEnvironment = await new RunbookCliHarness(_dir["state"], new Dictionary<string, string> { ["GREETING"] = "from the environment" }).RunAsync("run", file);

        Assert.True(fromFile.ExitCode == 0, fromFile.All);
        Assert.Contains("from the file", fromFile.Output);
        Assert.Contains("from the environment", fromEnvironment.Output);
    }
}
