using ExcelMedical.DbRunbook.Engine.Steps;

namespace ExcelMedical.DbRunbook.Engine.Execution;

/// <summary>
/// How a step is carried out: for real, or as a plan (the dry run). The dry run is its own
/// strategy rather than <c>if (dryRun)</c> checks inside steps (Cake's DryRunExecutionStrategy).
/// </summary>
internal interface IExecutionStrategy
{
    bool IsDryRun { get; }

    Task<StepOutcome> RunAsync(IStep step, StepContext context, object options, CancellationToken cancellationToken);
}

internal sealed record StepOutcome(StepStatus Status, StepOutputs Outputs, IReadOnlyList<string> Plan);

internal sealed class LiveExecutionStrategy : IExecutionStrategy
{
    public bool IsDryRun => false;

    public async Task<StepOutcome> RunAsync(IStep step, StepContext context, object options, CancellationToken cancellationToken)
    {
        var outputs = await step.ExecuteAsync(context, options, cancellationToken);
        return new StepOutcome(StepStatus.Succeeded, outputs, []);
    }
}

internal sealed class DryRunExecutionStrategy : IExecutionStrategy
{
    public bool IsDryRun => true;

    public async Task<StepOutcome> RunAsync(IStep step, StepContext context, object options, CancellationToken cancellationToken)
    {
        var plan = await step.PlanAsync(context, options, cancellationToken);
        return new StepOutcome(StepStatus.Planned, plan.Outputs, plan.Actions);
    }
}
