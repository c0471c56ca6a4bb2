using System.CommandLine;
using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Loading;

namespace ExcelMedical.DbRunbook.Cli.Commands;

/// <summary>
/// <c>runbook validate playbooks/</c>: every problem of every file, as file:line:col, exit 2.
/// Each file is checked on its own, within its own limits and with its own cap on problems, so
/// one broken or hostile file neither hides nor stops the report on the others.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create(RunbookHost host)
    {
        var paths = new Argument<string[]>("paths") { Description = "Playbook files or folders (their *.yaml and *.yml files).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("validate", "Check playbooks without running anything.") { paths };
        command.SetAction(async result =>
        {
            var missing = new DiagnosticBag();
            var files = PlaybookLoader.ExpandPaths(result.GetValue(paths) ?? [], missing);
            DiagnosticPrinter.Print(missing, host.Error);
            var loader = new PlaybookLoader(host.Steps, host.Templates, host.Environment);
            var problems = missing.Count;
            var invalid = 0;
            var warnings = 0;
            foreach (var file in files)
            {
                var diagnostics = new DiagnosticBag();
                loader.Load(file, diagnostics);
                DiagnosticPrinter.Print(diagnostics, host.Error);
                problems += diagnostics.Count;
                warnings += diagnostics.WarningCount;
                invalid += diagnostics.HasErrors ? 1 : 0;
            }

            if (problems > 0)
            {
                await host.Error.WriteLineAsync($"{problems} problem(s) in {invalid} of {files.Count} playbook(s)");
                return ExitCodes.Invalid;
            }

            if (files.Count == 0)
            {
                await host.Error.WriteLineAsync("error: no playbooks found (looked for *.yaml and *.yml)");
                return ExitCodes.Invalid;
            }

            await host.Out.WriteLineAsync($"{files.Count} playbook(s) valid{(warnings > 0 ? $" ({warnings} warning(s) above)" : string.Empty)}");
            return ExitCodes.Success;
        });
        return command;
    }
}
