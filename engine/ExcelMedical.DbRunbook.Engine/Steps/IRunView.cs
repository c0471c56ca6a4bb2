using ExcelMedical.DbRunbook.Engine.Execution;

namespace ExcelMedical.DbRunbook.Engine.Steps;

/// <summary>
/// What a step sees of the run it belongs to: who the run is and what its earlier steps did.
/// Read-only: only the engine changes a run.
/// </summary>
public interface IRunView
{
    string Id { get; }

    /// <summary>The playbook's <c>name</c>.</summary>
    string Playbook { get; }

    /// <summary>The playbook file, full path.</summary>
    string PlaybookFile { get; }

    /// <summary>Where relative paths of the playbook resolve.</summary>
    string PlaybookDirectory { get; }

    DateTimeOffset Started { get; }

    bool DryRun { get; }

    /// <summary>The run's own log file, if the playbook has one (never set in a dry run).</summary>
    string? LogFile { get; }

    /// <summary>How the run was started: <c>manual</c>, <c>schedule</c>, <c>catch-up</c>.</summary>
    string Trigger { get; }

    /// <summary>The steps that have started so far, in order (the running one last).</summary>
    IReadOnlyList<IStepView> Steps { get; }
}

/// <summary>One step of a run as later steps, reports and restore drills see it.</summary>
public interface IStepView
{
    string Id { get; }

    /// <summary>The step kind, e.g. <c>postgres.dump</c>.</summary>
    string Uses { get; }

    StepStatus Status { get; }

    /// <summary>Why it failed or was skipped, already masked.</summary>
    string? Message { get; }

    DateTimeOffset? Started { get; }

    /// <summary>What it handed on; read with <see cref="OutputValues"/>.</summary>
    IReadOnlyDictionary<string, object?> Outputs { get; }
}
