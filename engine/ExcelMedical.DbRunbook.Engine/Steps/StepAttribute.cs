namespace ExcelMedical.DbRunbook.Engine.Steps;

/// <summary>Names a step as playbooks write it in <c>uses:</c>, with a one-line summary for <c>runbook steps</c>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class StepAttribute(string name, string summary) : Attribute
{
    public string Name { get; } = name;

    public string Summary { get; } = summary;
}
