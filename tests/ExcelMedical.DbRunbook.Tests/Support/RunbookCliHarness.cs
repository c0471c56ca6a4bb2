using ExcelMedical.DbRunbook.Cli;
using ExcelMedical.DbRunbook.Engine.Execution;

namespace ExcelMedical.DbRunbook.Tests.Support;

/// <summary>Runs the `runbook` command line in-process with captured output and a controlled environment.</summary>
public sealed class RunbookCliHarness
{
    private readonly Dictionary<string, string> _environment;

    public RunbookCliHarness(string stateDirectory, IDictionary<string, string>? environment = null, TimeProvider? time = null)
    {
        _environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["RUNBOOK_STATE_DIR"] = stateDirectory,
            ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            _environment[key] = value;
        }

        Time = time ?? TimeProvider.System;
    }

    public TimeProvider Time { get; }

    public IDictionary<string, string> Environment => _environment;

    public async Task<CliResult> RunAsync(params string[] args) => await RunAsync(args, CancellationToken.None);

    public async Task<CliResult> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var host = new RunbookHost
        {
            Time = Time,
            Steps = TestSteps.Catalog(),
            Environment = new Dictionary<string, string>(_environment),
            Out = TextWriter.Synchronized(output),
            Error = TextWriter.Synchronized(error),
        };
        var exitCode = await RunbookCli.InvokeAsync(args, host, registerSignals: false, cancellationToken);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}

public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string All => Output + Error;
}
