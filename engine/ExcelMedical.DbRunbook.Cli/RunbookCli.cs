using System.CommandLine;
using System.Reflection;
using ExcelMedical.DbRunbook.Cli.Commands;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Steps;

namespace ExcelMedical.DbRunbook.Cli;

/// <summary>
/// The <c>runbook</c> command line: thin verbs that check their arguments and call the engine.
/// Usage errors exit 2, like an invalid playbook.
/// </summary>
internal static class RunbookCli
{
    public static RunbookHost CreateHost(TextWriter output, TextWriter error, IReadOnlyDictionary<string, string>? environment = null, TimeProvider? time = null) => new()
    {
        Time = time ?? TimeProvider.System,
        Steps = BuiltInSteps.Create(),
        Environment = environment ?? RunbookHost.ProcessEnvironment(),
        Out = output,
        Error = error,
        InteractiveConsole = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected,
    };

    public static async Task<int> InvokeAsync(string[] args, RunbookHost host, bool registerSignals = false, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("runbook: run declarative YAML playbooks of database operations (backups, monitoring, maintenance, retention).")
        {
            RunCommand.Create(host, registerSignals),
            ValidateCommand.Create(host),
            StepsCommand.Create(host),
            SchemaCommand.Create(host),
            HistoryCommand.Create(host),
            ScheduleCommand.Create(host, registerSignals),
            CronCommand.Create(host),
        };

        // A bare `runbook` shows the help, and is still a usage error for scripts.
        var parsed = root.Parse(args.Length == 0 ? ["--help"] : args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await host.Error.WriteLineAsync($"error: {error.Message}");
            }

            await host.Error.WriteLineAsync("Run `runbook --help` (or `runbook <command> --help`) for usage.");
            return ExitCodes.Invalid;
        }

        var configuration = new InvocationConfiguration
        {
            Output = host.Out,
            Error = host.Error,
            // The run command handles SIGINT/SIGTERM itself so always-steps and notifications still run.
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            var exitCode = await parsed.InvokeAsync(configuration, cancellationToken);
            return args.Length == 0 ? ExitCodes.Invalid : exitCode;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug must still end with a message and a failing exit code, never a stack trace
            // that might print a connection string.
            await host.Error.WriteLineAsync($"error: runbook failed unexpectedly: {new Engine.Secrets.SecretMasker().Apply(ex)}");
            return ExitCodes.StepFailed;
        }
    }

    public static string Version =>
        typeof(RunbookCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
