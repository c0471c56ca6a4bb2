namespace ExcelMedical.DbRunbook.Engine.Steps;

/// <summary>
/// What the engine sees of a step. Step authors derive from <see cref="Step{TOptions}"/> and
/// never implement this directly.
/// </summary>
public interface IStep
{
    Type OptionsType { get; }

    /// <summary>Describes what the step would do, reading but never changing anything (dry run).</summary>
    Task<StepPlan> PlanAsync(StepContext context, object options, CancellationToken cancellationToken);

    /// <summary>Does the work. Throwing fails the step; the message is masked and shown to the operator.</summary>
    Task<StepOutputs> ExecuteAsync(StepContext context, object options, CancellationToken cancellationToken);
}
