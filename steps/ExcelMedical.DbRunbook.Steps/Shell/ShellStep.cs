using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Processes;
using ExcelMedical.DbRunbook.Engine.Steps;

namespace ExcelMedical.DbRunbook.Steps.Shell;

/// <summary>Runs a program with an argument list. Its output goes to the log, masked, and to the step's outputs.</summary>
[Step("shell", "Run a program with an argument list (no shell), capturing its output and exit code")]
public sealed class ShellStep : Step<ShellOptions>
{
    /// <summary>Outputs keep the end of long output; the log has all of it.</summary>
    private const int MaxCapturedChars = 64 * 1024;

    public override Task<StepPlan> PlanAsync(StepContext context, ShellOptions options, CancellationToken cancellationToken)
    {
        var spec = Spec(context, options);
        var env = options.Env.Count > 0 ? $" with environment {string.Join(", ", options.Env.Keys)}" : string.Empty;
        var found = ChildProcess.Locate(options.Program, context.Environment) is null ? $" (warning: '{options.Program}' is not on PATH)" : string.Empty;
        return Task.FromResult(StepPlan.Of($"run {spec.Display} in {spec.WorkingDirectory}{env}{found}"));
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, ShellOptions options, CancellationToken cancellationToken)
    {
        foreach (var (name, value) in options.Env)
        {
            context.Secrets.AddIfSecretName(name, value);
        }

        var spec = Spec(context, options);
        context.Log.Information("  $ {Command}", spec.Display);
        var result = await ChildProcess.RunAsync(
            spec,
            cancellationToken,
            line => context.Log.Information("  | {Line}", line),
            line => context.Log.Warning("  ! {Line}", line));
        if (!options.SuccessExitCodes.Contains(result.ExitCode))
        {
            var detail = result.Error.Length > 0 ? result.Error : OutputTail.Chars(result.Output, MaxCapturedChars);
            throw new StepFailedException(string.Create(CultureInfo.InvariantCulture, $"{options.Program} exited with code {result.ExitCode}{(detail.Length > 0 ? ": " + OutputTail.Chars(detail, 2000) : string.Empty)}"));
        }

        return new StepOutputs()
            .Add("exit_code", result.ExitCode)
            .Add("stdout", OutputTail.Chars(result.Output, MaxCapturedChars))
            .Add("stderr", OutputTail.Chars(result.Error, MaxCapturedChars));
    }

    private static ProcessSpec Spec(StepContext context, ShellOptions options) => new(options.Program, options.Args)
    {
        Environment = options.Env,
        WorkingDirectory = context.ResolvePath(options.WorkingDirectory ?? "."),
    };
}
