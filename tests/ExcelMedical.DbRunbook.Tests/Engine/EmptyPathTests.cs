using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Engine;

/// <summary>
/// A path built from an unset variable (<c>{{ env.NOT_SET }}/x.txt</c>) must never become <c>/x.txt</c>:
/// a warning when `runbook validate` sees the variable unset, an error before anything is written at run time.
/// </summary>
public sealed class EmptyPathTests : IDisposable
{
    private const string Hostile = "TestData/Playbooks/hostile";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Validate_warns_about_paths_that_start_with_a_variable_unset_here()
    {
        var result = await new RunbookCliHarness(_dir["state"]).RunAsync("validate", $"{Hostile}/empty-path.yaml");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Error.Trim().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith($"{Hostile}/empty-path.yaml:2:6: warning: this path starts with 'env.RUNBOOK_TEST_UNSET_ROOT', which is empty here (env.RUNBOOK_TEST_UNSET_ROOT is not set), so it would start at '/'", lines[0]);
        Assert.StartsWith($"{Hostile}/empty-path.yaml:5:8: warning: this path starts with 'vars.root', which is empty here (vars.root is empty: env.RUNBOOK_TEST_UNSET_ROOT is not set)", lines[1]);
        Assert.StartsWith($"{Hostile}/empty-path.yaml:10:36: warning: this path starts with 'env.RUNBOOK_TEST_UNSET_ROOT'", lines[2]);
    }

    [Fact]
    public async Task Validate_says_nothing_when_the_variable_is_set_here()
    {
        var cli = new RunbookCliHarness(_dir["state"], new Dictionary<string, string> { ["RUNBOOK_TEST_UNSET_ROOT"] = _dir.Path });

        var result = await cli.RunAsync("validate", $"{Hostile}/empty-path.yaml");

        Assert.Equal(string.Empty, result.Error);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task A_log_path_from_an_unset_variable_fails_the_run_before_anything_is_written()
    {
        var name = $"runbook-test-{Guid.NewGuid():N}";
        var file = _dir.Write("log.yaml", $$$"""
            name: log
            log: "{{ env.RUNBOOK_TEST_UNSET_ROOT }}/{{{name}}}.log"
            steps:
              - id: touch
                uses: shell
                with: { program: touch, args: ["{{{name}}}.txt"] }
            """);

        try
        {
            var result = await new RunbookCliHarness(_dir["state"]).RunAsync("run", file);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"'{{{{ env.RUNBOOK_TEST_UNSET_ROOT }}}}/{name}.log' starts with 'env.RUNBOOK_TEST_UNSET_ROOT', which is empty here (not set?), so the path would start at '/' as '/{name}.log'", result.Error);
            Assert.False(File.Exists($"/{name}.log"));
            Assert.False(File.Exists(_dir[$"{name}.txt"]), "the step ran");
        }
        finally
        {
            File.Delete($"/{name}.log");
        }
    }

    [Fact]
    public async Task An_option_path_from_a_variable_that_reads_an_unset_one_fails_the_step_before_it_runs()
    {
        var name = $"runbook-test-{Guid.NewGuid():N}";
        var file = _dir.Write("option.yaml", $$$"""
            name: option
            vars:
              root: "{{ env.RUNBOOK_TEST_UNSET_ROOT }}"
            steps:
              - id: touch
                uses: shell
                with: { program: touch, args: ["{{ vars.root }}/{{{name}}}.txt"] }
            """);

        try
        {
            var result = await new RunbookCliHarness(_dir["state"]).RunAsync("run", file);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("starts with 'vars.root', which is empty here (not set?), so the path would start at '/'", result.All);
            Assert.False(File.Exists($"/{name}.txt"));
            Assert.Equal("failed", RunRecords.Latest(_dir["state"], "option").Step("touch").Status());
        }
        finally
        {
            File.Delete($"/{name}.txt");
        }
    }

    [Fact]
    public async Task A_default_or_a_set_variable_makes_the_same_path_fine()
    {
        var file = _dir.Write("fine.yaml", """
            name: fine
            vars:
              root: "{{ env.RUNBOOK_TEST_UNSET_ROOT ?? env.TEST_DIR }}"
            steps:
              - id: touch
                uses: shell
                with: { program: touch, args: ["{{ vars.root }}/made.txt"] }
            """);

        var result = await new RunbookCliHarness(_dir["state"], new Dictionary<string, string> { ["TEST_DIR"] = _dir.Path }).RunAsync("run", file);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.True(File.Exists(_dir["made.txt"]));
    }
}
