using System.CommandLine;
using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Loading;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Scheduling;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Coordination;
using Serilog.Events;

namespace ExcelMedical.DbRunbook.Cli.Commands;

/// <summary>
/// <c>runbook schedule playbooks/ [--list]</c>: the built-in cron. Runs until SIGTERM/SIGINT, then
/// lets running runs finish within the grace period, cancels the rest and exits 0.
/// </summary>
internal static class ScheduleCommand
{
    public static Command Create(RunbookHost host, bool registerSignals)
    {
        var paths = new Argument<string[]>("paths") { Description = "Playbook files or folders (their *.yaml and *.yml files), watched for edits.", Arity = ArgumentArity.OneOrMore };
        var list = new Option<bool>("--list") { Description = "Print the next fire times of every scheduled playbook and exit." };
        var count = new Option<int>("--count", "-n") { Description = "With --list: how many fire times per playbook.", DefaultValueFactory = _ => 5 };
        var grace = new Option<string>("--grace-period") { Description = "On SIGTERM/SIGINT, how long running runs may go on before they are cancelled (always-steps still run).", DefaultValueFactory = _ => "10m" };
        var poll = new Option<string>("--poll-interval") { Description = "How often playbook files are checked for edits.", DefaultValueFactory = _ => "5s" };
        var hostName = new Option<string?>("--host-name") { Description = "This scheduler's name in run records and coordination (default: the machine name)." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only warnings and errors on the console (run log files keep everything)." };
        var command = new Command("schedule", "Run every playbook on its schedule (cron); watch the files for edits.") { paths, list, count, grace, poll, hostName, quiet };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!TryDuration(result.GetValue(grace), "--grace-period", out var gracePeriod, host) ||
                !TryDuration(result.GetValue(poll), "--poll-interval", out var pollInterval, host))
            {
                return ExitCodes.Invalid;
            }

            if (pollInterval < TimeSpan.FromMilliseconds(100))
            {
                await host.Error.WriteLineAsync("error: --poll-interval must be at least 100ms");
                return ExitCodes.Invalid;
            }

            var targets = result.GetValue(paths) ?? [];
            var missing = new DiagnosticBag();
            PlaybookLoader.ExpandPaths(targets, missing);
            if (missing.HasErrors)
            {
                DiagnosticPrinter.Print(missing, host.Error);
                return ExitCodes.Invalid;
            }

            if (result.GetValue(list))
            {
                return await ScheduleListing.PrintAsync(host, targets, Math.Max(1, result.GetValue(count)));
            }

            var options = new SchedulerOptions
            {
                GracePeriod = gracePeriod,
                PollInterval = pollInterval,
                HostName = result.GetValue(hostName) ?? Environment.MachineName,
                ConsoleLevel = result.GetValue(quiet) ? LogEventLevel.Warning : LogEventLevel.Information,
                Coordination = connection => new PostgresScheduleCoordinator(connection),
            };
            using var stopping = new CancellationTokenSource();
            using var cancelRuns = new CancellationTokenSource();
            using var abort = new CancellationTokenSource();
            using var link = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token, cancellationToken);
            // First SIGTERM/SIGINT: start nothing new, let running runs finish within the grace period.
            // Second: cancel them now (always-steps still run). Third: stop those too.
            using var signals = registerSignals
                ? new SignalHandler(
                    host.Error,
                    (stopping, "stopping: no new runs; running runs get the grace period (send again to cancel them now)"),
                    (cancelRuns, "cancelling the running runs now; their always-steps and notifications still run (send again to stop those too)"),
                    (abort, "aborting always-steps and notifications"))
                : null;
            return await new Scheduler(host, targets, options).RunAsync(link.Token, cancelRuns.Token, abort.Token);
        });
        return command;
    }

    private static bool TryDuration(string? text, string option, out TimeSpan value, RunbookHost host)
    {
        if (Duration.TryParse(text, out value))
        {
            return true;
        }

        host.Error.WriteLine($"error: {option} must be a duration such as 30s, 5m or 1h, not '{text}'");
        return false;
    }
}
