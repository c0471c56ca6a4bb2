namespace ExcelMedical.DbRunbook.Engine.Steps;

/// <summary>
/// A step with typed options. The options class is the single declaration that drives binding
/// of <c>with:</c>, validation, the docs of <c>runbook steps</c>, the dry-run plan and the schema.
/// </summary>
public abstract class Step<TOptions> : IStep
    where TOptions : class, new()
{
    public Type OptionsType => typeof(TOptions);

    public abstract Task<StepPlan> PlanAsync(StepContext context, TOptions options, CancellationToken cancellationToken);

    public abstract Task<StepOutputs> ExecuteAsync(StepContext context, TOptions options, CancellationToken cancellationToken);

    Task<StepPlan> IStep.PlanAsync(StepContext context, object options, CancellationToken cancellationToken) =>
        PlanAsync(context, (TOptions)options, cancellationToken);

    Task<StepOutputs> IStep.ExecuteAsync(StepContext context, object options, CancellationToken cancellationToken) =>
        ExecuteAsync(context, (TOptions)options, cancellationToken);
}
