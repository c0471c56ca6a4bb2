using System.CommandLine;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.State;

namespace ExcelMedical.DbRunbook.Cli.Commands;

/// <summary><c>runbook history [--playbook name] [--limit n]</c>: recent runs from the state directory.</summary>
internal static class HistoryCommand
{
    public static Command Create(RunbookHost host)
    {
        var playbook = new Option<string?>("--playbook", "-p") { Description = "Only runs of this playbook (its name)." };
        var limit = new Option<int>("--limit", "-n") { Description = "How many runs to show.", DefaultValueFactory = _ => 20 };
        var command = new Command("history", "List recent runs with their outcome.") { playbook, limit };
        command.SetAction(async result =>
        {
            var runs = new RunStore(host.StateDirectory).History(result.GetValue(playbook), result.GetValue(limit));

            // Runs whose record the state directory could not take (read-only, full) were recorded in the fallback folder.
            var fallback = FallbackStateDirectory.Existing(host.Environment);
            var elsewhere = fallback is null || Path.GetFullPath(fallback) == Path.GetFullPath(host.StateDirectory)
                ? []
                : new RunStore(fallback).History(result.GetValue(playbook), result.GetValue(limit));
            runs = [.. runs.Concat(elsewhere).OrderByDescending(r => r.Started).Take(result.GetValue(limit))];
            if (runs.Count == 0)
            {
                await host.Out.WriteLineAsync($"no runs recorded in {host.StateDirectory}");
                return ExitCodes.Success;
            }

            await host.Out.WriteLineAsync($"{"STARTED",-25} {"PLAYBOOK",-16} {"STATUS",-10} {"TOOK",-8} {"TRIGGER",-9} DETAILS");
            foreach (var run in runs)
            {
                var took = run.Finished is { } finished ? Duration.Format(finished - run.Started) : "-";
                await host.Out.WriteLineAsync($"{run.Started:yyyy-MM-dd HH:mm:ss zzz}  {run.Playbook,-16} {StatusNames.Of(run.Status),-10} {took,-8} {run.Trigger ?? "manual",-9} {run.Error ?? run.Message ?? string.Empty}".TrimEnd());
            }

            var fallen = runs.Count(r => elsewhere.Contains(r));
            if (fallen > 0)
            {
                await host.Out.WriteLineAsync($"{fallen} of these run(s) are recorded in {fallback}: the state directory {host.StateDirectory} could not take their records.");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
