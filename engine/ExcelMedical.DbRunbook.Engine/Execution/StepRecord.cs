using ExcelMedical.DbRunbook.Engine.Steps;

namespace ExcelMedical.DbRunbook.Engine.Execution;

/// <summary>What happened to one step (or notifier) of a run, as kept in the run record.</summary>
internal sealed class StepRecord : IStepView
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string Uses { get; init; }

    public StepStatus Status { get; set; } = StepStatus.Pending;

    public DateTimeOffset? Started { get; set; }

    public TimeSpan Duration { get; set; }

    public int Attempts { get; set; }

    /// <summary>Why it failed, was skipped or timed out, already masked.</summary>
    public string? Message { get; set; }

    /// <summary>A failure that did not fail the run (<c>continue_on_error: true</c>).</summary>
    public bool ContinuedOnError { get; set; }

    public bool Always { get; init; }

    public StepOutputs Outputs { get; set; } = StepOutputs.None;

    IReadOnlyDictionary<string, object?> IStepView.Outputs => Outputs;

    /// <summary>The dry-run plan: what the step would do.</summary>
    public IReadOnlyList<string> Plan { get; set; } = [];

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsFailure => Status is StepStatus.Failed or StepStatus.TimedOut;
}
