using System.CommandLine;
using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Reporting;

namespace ExcelMedical.DbRunbook.Cli.Commands;

/// <summary><c>runbook steps [name]</c>: the step catalog, or one step's options.</summary>
internal static class StepsCommand
{
    public static Command Create(RunbookHost host)
    {
        var name = new Argument<string?>("name") { Description = "A step to describe in full.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("steps", "List the steps playbooks can use, with every option documented.") { name };
        command.SetAction(async result =>
        {
            var wanted = result.GetValue(name);
            if (wanted is null)
            {
                StepDocumentation.WriteCatalog(host.Steps, host.Out);
                return ExitCodes.Success;
            }

            var step = host.Steps.Find(wanted);
            if (step is null)
            {
                await host.Error.WriteLineAsync($"error: unknown step '{wanted}'{DidYouMean.Hint(wanted, host.Steps.Names)}");
                return ExitCodes.Invalid;
            }

            StepDocumentation.WriteStep(step, host.Out);
            return ExitCodes.Success;
        });
        return command;
    }
}
