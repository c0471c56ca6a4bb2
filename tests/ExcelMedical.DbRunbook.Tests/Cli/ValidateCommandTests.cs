using ExcelMedical.DbRunbook.Tests.Support;
using Snapshooter.Xunit;

namespace ExcelMedical.DbRunbook.Tests.Cli;

public sealed class ValidateCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Broken_playbooks_report_every_problem_with_file_line_and_column_and_exit_2()
    {
        var cli = new RunbookCliHarness(_dir["state"]);

        var result = await cli.RunAsync("validate", "TestData/Playbooks/broken");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Output);
        Snapshot.Match(result.Error);
    }

    [Fact]
    public async Task A_valid_playbook_passes()
    {
        var cli = new RunbookCliHarness(_dir["state"]);

        var result = await cli.RunAsync("validate", "TestData/Playbooks/valid");

        Assert.Equal(string.Empty, result.Error);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("1 playbook(s) valid", result.Output.Trim());
    }

    [Fact]
    public async Task The_shipped_playbooks_are_valid()
    {
        var cli = new RunbookCliHarness(_dir["state"]);

        var result = await cli.RunAsync("validate", RepositoryRoot.File("playbooks"));

        // The deployment's .env is not in the repository: its absence is a warning, nothing else is said.
        Assert.All(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Matches(@"^\S+\.yaml:\d+:\d+: warning: the env_file \S+/\.env does not exist", line));
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Options_that_name_steps_must_name_an_earlier_step_of_the_playbook()
    {
        var cli = new RunbookCliHarness(_dir["state"]);

        var result = await cli.RunAsync("validate", "TestData/Playbooks/references/step-references.yaml");

        Assert.Equal(2, result.ExitCode);
        var file = "TestData/Playbooks/references/step-references.yaml";
        Assert.Equal(
            [
                $"{file}:10:18: 'dump_step' of step 'pg_verify' names the step 'pg_dum', but there is no step 'pg_dum' (did you mean 'pg_dump'?)",
                $"{file}:15:26: 'require_verified' of step 'prune' names the step 'pg_verfy', but there is no step 'pg_verfy' (did you mean 'pg_verify'?)",
                $"{file}:15:36: 'require_verified' of step 'prune' names step 'mongo_verify' (line 17), which runs later; it can only name steps that ran before it",
                $"{file}:16:24: 'optional_steps' of step 'prune' names step 'mongo_verify' (line 17), which runs later; it can only name steps that ran before it",
                $"{file}:19:45: 'dump_step' of step 'mongo_verify' names the step itself; name a step that runs before it",
                "5 problem(s) in 1 of 1 playbook(s)",
            ],
            result.Error.Trim().Split('\n'));
    }

    [Fact]
    public async Task A_missing_path_is_a_usage_error()
    {
        var cli = new RunbookCliHarness(_dir["state"]);

        var result = await cli.RunAsync("validate", _dir["nope.yaml"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("nope.yaml: no such file or folder", result.Error);
    }
}
