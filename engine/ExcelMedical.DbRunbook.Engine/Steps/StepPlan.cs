namespace ExcelMedical.DbRunbook.Engine.Steps;

/// <summary>
/// What a step would do, in the operator's words, and the outputs it would produce so that later
/// steps' plans can show resolved values.
/// </summary>
public sealed record StepPlan(IReadOnlyList<string> Actions, StepOutputs Outputs)
{
    public static StepPlan Of(params string[] actions) => new(actions, StepOutputs.None);

    public static StepPlan Of(StepOutputs outputs, params string[] actions) => new(actions, outputs);
}
