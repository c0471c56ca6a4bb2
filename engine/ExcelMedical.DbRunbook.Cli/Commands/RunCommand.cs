using System.CommandLine;
using ExcelMedical.DbRunbook.Engine.Execution;
using Serilog.Events;

namespace ExcelMedical.DbRunbook.Cli.Commands;

/// <summary><c>runbook run playbook.yaml [--dry-run] [--var k=v] [--env-file .env]</c></summary>
internal static class RunCommand
{
    public static Command Create(RunbookHost host, bool registerSignals)
    {
        var playbook = new Argument<FileInfo>("playbook") { Description = "The playbook file to run." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Validate, then print what every step would do with values resolved and secrets masked; change nothing." };
        var vars = new Option<string[]>("--var") { Description = "Set a variable: --var day=2026-11-24 (repeatable).", AllowMultipleArgumentsPerToken = false };
        var envFile = new Option<FileInfo?>("--env-file") { Description = "Read environment variables from this .env file instead of the playbook's env_file." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only warnings and errors on the console (the log file keeps everything)." };
        var command = new Command("run", "Run a playbook.") { playbook, dryRun, vars, envFile, quiet };
        command.SetAction(async (result, cancellationToken) =>
        {
            var variables = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var assignment in result.GetValue(vars) ?? [])
            {
                var equals = assignment.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    await host.Error.WriteLineAsync($"error: --var expects name=value, not '{assignment}'");
                    return ExitCodes.Invalid;
                }

                variables[assignment[..equals]] = assignment[(equals + 1)..];
            }

            var file = result.GetValue(playbook)!;
            if (!file.Exists)
            {
                await host.Error.WriteLineAsync($"error: the playbook {file.FullName} does not exist");
                return ExitCodes.Invalid;
            }

            using var interrupt = new CancellationTokenSource();
            using var abort = new CancellationTokenSource();
            using var link = CancellationTokenSource.CreateLinkedTokenSource(interrupt.Token, cancellationToken);
            // First SIGINT/SIGTERM: cancel the running step, then run always-steps and notifications.
            // A second one: stop those too.
            using var signals = registerSignals
                ? new SignalHandler(
                    host.Error,
                    (interrupt, "cancelling the running step; always-steps and notifications still run (send again to stop them)"),
                    (abort, null))
                : null;
            var request = new RunRequest
            {
                DryRun = result.GetValue(dryRun),
                Vars = variables,
                EnvFile = result.GetValue(envFile)?.FullName,
                ConsoleLevel = result.GetValue(quiet) ? LogEventLevel.Warning : LogEventLevel.Information,
                Abort = abort.Token,
            };
            var outcome = await new PlaybookRunner(host).RunAsync(file.FullName, request, link.Token);
            return outcome.ExitCode;
        });
        return command;
    }
}
