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

        Assert.Equal(string.Empty, result.Error);
        Assert.Equal(0, result.ExitCode);
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
