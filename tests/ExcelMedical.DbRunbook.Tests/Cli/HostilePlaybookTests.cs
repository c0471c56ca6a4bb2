using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Cli;

/// <summary>
/// The real `runbook` process fed the files an attacker or a bad editor drops into the playbook
/// folder: each is refused with file:line:col and exit 2, in seconds, with the GC heap capped at
/// 300 MB, and never with a stack trace.
/// </summary>
public sealed class HostilePlaybookTests : IDisposable
{
    private const string Hostile = "TestData/Playbooks/hostile";
    private const long HeapLimit = 300L * 1024 * 1024;

    /// <summary>Generous for a loaded CI machine; a healthy one needs a second or two.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("deep-nesting.yaml", "deep-nesting.yaml:2:71: lists and mappings are nested more than 64 levels deep here")]
    [InlineData("alias-bomb.yaml", "alias-bomb.yaml:8:18: the alias '*e' repeats 66430 value(s); the playbook holds more than 250000 values")]
    [InlineData("invalid-utf8.yaml", "invalid-utf8.yaml:4:12: the file is not valid UTF-8: byte 0xE9")]
    [InlineData("two-documents.yaml", "two-documents.yaml:6:1: a second YAML document starts here")]
    [InlineData("unclosed-quote.yaml", "unclosed-quote.yaml:2:14: YAML syntax error: the quoted text that starts here is not closed (the parser gave up at line 3, column 1")]
    [InlineData("unclosed-bracket.yaml", "unclosed-bracket.yaml:5:34: YAML syntax error in the '[' opened here: is a ']' or a ',' missing? (the parser gave up at line 5, column 40")]
    [InlineData("tab-indentation.yaml", "tab-indentation.yaml:5:1: YAML syntax error: a tab in the indentation of this line")]
    [InlineData("env-file-device.yaml", "env-file-device.yaml:2:11: env_file /dev/zero: cannot read the env file: it is a character device")]
    [InlineData("static-checks.yaml", "static-checks.yaml:10:14: 'timeout' is too long: at most 49d, not '99999999999999h'")]
    public async Task Validate_refuses_a_hostile_file_at_its_line_with_exit_2_in_seconds_and_bounded_memory(string file, string expected)
    {
        var (exitCode, output, elapsed, timedOut) = await RunbookProcess.RunAsync(AppContext.BaseDirectory, _dir["state"], ["validate", $"{Hostile}/{file}"], Deadline, HeapLimit);

        Assert.False(timedOut, $"still running after {Deadline}:\n{Tail(output)}");
        Assert.True(exitCode == 2, $"exit code {exitCode} after {elapsed}:\n{Tail(output)}");
        Assert.Contains(output.Split('\n'), line => line.StartsWith($"{Hostile}/{expected}", StringComparison.Ordinal));
        AssertNoStackTrace(output);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("run", "--dry-run")]
    [InlineData("schedule", "--list")]
    public async Task Deep_nesting_and_alias_bombs_are_refused_by_run_and_schedule_too(string verb, string? flag = null)
    {
        foreach (var file in new[] { "deep-nesting.yaml", "alias-bomb.yaml" })
        {
            string[] args = flag is null ? [verb, $"{Hostile}/{file}"] : [verb, $"{Hostile}/{file}", flag];

            var (exitCode, output, elapsed, timedOut) = await RunbookProcess.RunAsync(AppContext.BaseDirectory, _dir["state"], args, Deadline, HeapLimit);

            Assert.False(timedOut, $"{file}: still running after {Deadline}:\n{Tail(output)}");
            Assert.True(exitCode == 2, $"{file}: exit code {exitCode} after {elapsed}:\n{Tail(output)}");
            Assert.Contains($"{file}:", output);
            AssertNoStackTrace(output);
        }
    }

    [Fact]
    public async Task Validate_of_a_folder_reports_every_files_problems_whatever_the_others_do()
    {
        var (exitCode, output, _, timedOut) = await RunbookProcess.RunAsync(AppContext.BaseDirectory, _dir["state"], ["validate", Hostile], Deadline, HeapLimit);

        Assert.False(timedOut, Tail(output));
        Assert.Equal(2, exitCode);
        AssertNoStackTrace(output);
        var lines = output.Split('\n');
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, Hostile), "*.yaml").Select(Path.GetFileName))
        {
            // Every file is heard from, the valid-with-warnings ones included (env file mistakes at the env file's lines).
            var reported = file == "env-file-errors.yaml" ? "env-file-errors.env" : file;
            Assert.Contains(lines, line => line.StartsWith($"{Hostile}/{reported}:", StringComparison.Ordinal));
        }

        // One file's flood is capped without hiding the files after it.
        Assert.Contains("(stopped after 100 problems; fix these and run again to see more)", lines);
        Assert.Contains(lines, line => line.StartsWith($"{Hostile}/static-checks.yaml:18:19: 'root' of step 'prune' (backups.prune): must not be the file system root '/'", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith($"{Hostile}/env-file-missing.yaml:2:11: warning: the env_file ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_file_over_the_size_limit_is_refused_at_once()
    {
        var huge = _dir.Write("huge.yaml", "name: huge\nsteps:\n" + string.Concat(Enumerable.Repeat("  - { id: x, uses: shell, with: { program: echo } }\n", 200_000)));

        var (exitCode, output, elapsed, timedOut) = await RunbookProcess.RunAsync(_dir.Path, _dir["state"], ["validate", huge], Deadline, HeapLimit);

        Assert.False(timedOut, Tail(output));
        Assert.Equal(2, exitCode);
        Assert.Matches(@"huge\.yaml: the playbook is \d+\.\d MiB, more than the limit of 1\.0 MiB; it is not read", output);
        Assert.True(elapsed < TimeSpan.FromSeconds(15), $"took {elapsed}");
    }

    [Fact]
    public async Task Validation_of_a_large_legal_playbook_takes_linear_time()
    {
        // Just under the size limit: 65,000 keys in one mapping and 2,000 steps, each reading the one before.
        var text = new System.Text.StringBuilder("name: large\nvars:\n");
        for (var i = 0; i < 65_000; i++)
        {
            text.Append("  k").Append(i).Append(": v\n");
        }

        text.Append("steps:\n  - { id: s0, uses: shell, with: { program: echo } }\n");
        for (var i = 1; i < 2_000; i++)
        {
            text.Append("  - { id: s").Append(i).Append(", uses: shell, with: { program: echo, args: [\"{{ steps.s").Append(i - 1).Append(".status }}\"] } }\n");
        }

        var file = _dir.Write("large.yaml", text.ToString());
        Assert.InRange(new FileInfo(file).Length, 900_000, 1024 * 1024);

        var (exitCode, output, elapsed, timedOut) = await RunbookProcess.RunAsync(_dir.Path, _dir["state"], ["validate", file], Deadline, HeapLimit);

        // Quadratic duplicate-key and step-order checks took minutes for this file.
        Assert.False(timedOut, $"still running after {Deadline}");
        Assert.True(exitCode == 0, Tail(output));
        Assert.Equal("1 playbook(s) valid", output.Trim());
    }

    [Fact]
    public async Task A_run_whose_env_file_is_a_fifo_is_refused_at_once_instead_of_hanging()
    {
        var fifo = _dir["secrets.env"];
        Assert.Equal(0, (await Shell.RunAsync($"mkfifo '{fifo}'")).ExitCode);
        var playbook = _dir.Write("fifo.yaml", """
            name: fifo
            env_file: secrets.env
            steps:
              - id: one
                uses: shell
                with: { program: echo, args: [hello] }
            """);

        var (exitCode, output, _, timedOut) = await RunbookProcess.RunAsync(_dir.Path, _dir["state"], ["run", playbook], Deadline, HeapLimit);

        Assert.False(timedOut, "the run hung on the FIFO");
        Assert.Equal(2, exitCode);
        Assert.Contains("fifo.yaml:2:11: env_file ", output);
        Assert.Contains("secrets.env: cannot read the env file: it is a FIFO (named pipe), and only regular files are read", output);
    }

    private static void AssertNoStackTrace(string output)
    {
        Assert.DoesNotContain("Stack overflow", output);
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("failed unexpectedly", output);
    }

    private static string Tail(string output) => output.Length > 3000 ? output[^3000..] : output;
}
