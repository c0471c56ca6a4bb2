using System.CommandLine;
using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Scheduling;

namespace ExcelMedical.DbRunbook.Cli.Commands;

/// <summary><c>runbook cron playbooks/</c>: the crontab lines equivalent to <c>runbook schedule</c>, for operators who prefer system cron.</summary>
internal static class CronCommand
{
    public static Command Create(RunbookHost host)
    {
        var paths = new Argument<string[]>("paths") { Description = "Playbook files or folders (their *.yaml and *.yml files).", Arity = ArgumentArity.OneOrMore };
        var executable = new Option<string>("--executable") { Description = "The runbook program as cron should call it (an absolute path: cron's PATH is short).", DefaultValueFactory = _ => "/usr/local/bin/runbook" };
        var command = new Command("cron", "Print crontab lines that run each scheduled playbook (an alternative to `runbook schedule`).") { paths, executable };
        command.SetAction(async result =>
        {
            var diagnostics = new DiagnosticBag();
            var playbooks = ScheduleListing.Load(host, result.GetValue(paths) ?? [], diagnostics);
            if (diagnostics.HasErrors)
            {
                DiagnosticPrinter.Print(diagnostics, host.Error);
                return ExitCodes.Invalid;
            }

            await host.Out.WriteAsync(CrontabExport.Render(playbooks, result.GetValue(executable)!, host.Time));
            return ExitCodes.Success;
        });
        return command;
    }
}
