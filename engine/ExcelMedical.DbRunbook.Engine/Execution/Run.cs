using ExcelMedical.DbRunbook.Engine.Secrets;
using ExcelMedical.DbRunbook.Engine.State;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Engine.Templating;
using Serilog;

namespace ExcelMedical.DbRunbook.Engine.Execution;

/// <summary>
/// One run of a playbook: its record (what happened, as saved in the state directory) and the
/// services its steps share. It is the only description of a run; step contexts, templates and
/// notices are views onto it.
/// </summary>
internal sealed class Run : IRunView
{
    public required RunRecord Record { get; init; }

    public required string PlaybookDirectory { get; init; }

    public required TimeProvider Time { get; init; }

    public required StepCatalog Catalog { get; init; }

    public required TemplateEngine Templates { get; init; }

    public required TemplateScope Scope { get; init; }

    public required SecretMasker Secrets { get; init; }

    public required ILogger Log { get; init; }

    public required IExecutionStrategy Strategy { get; init; }

    public required ConnectionRegistry Connections { get; init; }

    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    public required RunStore Store { get; init; }

    public Logging.StepProgress Progress { get; init; } = Logging.StepProgress.Silent;

    /// <summary>The temporary files the run is writing (live runs only), so a killed run's debris can be found.</summary>
    public OutputJournal? Outputs { get; init; }

    public string Id => Record.Id;

    public string Playbook => Record.Playbook;

    public string PlaybookFile => Record.File;

    public DateTimeOffset Started => Record.Started;

    public bool DryRun => Record.DryRun;

    public string? LogFile => Record.LogFile;

    public string Trigger => Record.Trigger;

    public IReadOnlyList<IStepView> Steps => Record.Steps;

    public StepContext ContextFor(StepRecord record) => new(this, record);
}
