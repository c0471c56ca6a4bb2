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

    /// <summary>
    /// What the step did its job around but left for a human (<c>context.Warn</c>), already
    /// masked; null when none. A step with warnings still succeeded; the run ends <c>warning</c>.
    /// </summary>
    public List<string>? Warnings { get; set; }

    /// <summary>The dry-run plan: what the step would do.</summary>
    public IReadOnlyList<string> Plan { get; set; } = [];

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsFailure => Status is StepStatus.Failed or StepStatus.TimedOut;

    /// <summary>True when the run should end <c>warning</c> because of this step: it warned, or it failed under continue_on_error.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool LeftSomethingForAHuman => Warnings is { Count: > 0 } || (IsFailure && ContinuedOnError);

    /// <summary>What this step left for a human, one line each, prefixed with its id.</summary>
    internal IEnumerable<string> WarningLines()
    {
        foreach (var warning in Warnings ?? [])
        {
            yield return $"{Id}: {warning}";
        }

        if (IsFailure && ContinuedOnError)
        {
            yield return $"{Id}: {StatusNames.Of(Status).Replace('_', ' ')} (continue_on_error): {Message}";
        }
    }

    internal void AddWarning(string message)
    {
        lock (this)
        {
            (Warnings ??= []).Add(message);
        }
    }
}
