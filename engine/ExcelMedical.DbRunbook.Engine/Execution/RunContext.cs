using ExcelMedical.DbRunbook.Engine.Secrets;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Engine.Templating;
using Serilog;

namespace ExcelMedical.DbRunbook.Engine.Execution;

/// <summary>The state one run shares between its steps.</summary>
public sealed class RunContext
{
    public required RunInfo Info { get; init; }

    public required RunRecord Record { get; init; }

    public required TimeProvider Time { get; init; }

    public required StepCatalog Steps { get; init; }

    public required TemplateEngine Templates { get; init; }

    public required TemplateScope Scope { get; init; }

    public required SecretMasker Secrets { get; init; }

    public required ILogger Log { get; init; }

    public required IExecutionStrategy Strategy { get; init; }

    public required ConnectionRegistry Connections { get; init; }

    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    public required string StateDirectory { get; init; }

    public Logging.StepProgress Progress { get; init; } = Logging.StepProgress.Silent;

    public StepContext CreateStepContext(string stepId) => new()
    {
        StepId = stepId,
        Run = Info,
        Log = Log.ForContext("StepId", stepId),
        Time = Time,
        Secrets = Secrets,
        Connections = Connections,
        Environment = Environment,
        StateDirectory = StateDirectory,
        Record = Record,
        Templates = Templates,
        Scope = Scope,
        Progress = Progress,
    };
}
