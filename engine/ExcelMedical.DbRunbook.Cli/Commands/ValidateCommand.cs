using System.CommandLine;
using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Loading;

namespace ExcelMedical.DbRunbook.Cli.Commands;

/// <summary><c>runbook validate playbooks/</c>: every problem of every file, as file:line:col, exit 2.</summary>
internal static class ValidateCommand
{
    public static Command Create(RunbookHost host)
    {
        var paths = new Argument<string[]>("paths") { Description = "Playbook files or folders (their *.yaml and *.yml files).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("validate", "Check playbooks without running anything.") { paths };
        command.SetAction(async result =>
        {
            var diagnostics = new DiagnosticBag();
            var files = PlaybookLoader.ExpandPaths(result.GetValue(paths) ?? [], diagnostics);
            var loader = new PlaybookLoader(host.Steps, host.Templates);
            var valid = 0;
            foreach (var file in files)
            {
                var before = diagnostics.Count;
                loader.Load(file, diagnostics);
                if (diagnostics.Count == before)
                {
                    valid++;
                }
            }

            if (diagnostics.HasErrors)
            {
                DiagnosticPrinter.Print(diagnostics, host.Error);
                await host.Error.WriteLineAsync($"{diagnostics.Count} problem(s) in {files.Count - valid} of {files.Count} playbook(s)");
                return ExitCodes.Invalid;
            }

            if (files.Count == 0)
            {
                await host.Error.WriteLineAsync("error: no playbooks found (looked for *.yaml and *.yml)");
                return ExitCodes.Invalid;
            }

            await host.Out.WriteLineAsync($"{files.Count} playbook(s) valid");
            return ExitCodes.Success;
        });
        return command;
    }
}
