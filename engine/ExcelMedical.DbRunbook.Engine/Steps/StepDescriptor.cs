using ExcelMedical.DbRunbook.Engine.Options;

namespace ExcelMedical.DbRunbook.Engine.Steps;

/// <summary>A registered step: its name, summary, options and how to make one.</summary>
internal sealed record StepDescriptor(string Name, string Summary, Type StepType, Type OptionsType, Func<IStep> Create)
{
    public IReadOnlyList<OptionDescriptor> Options => OptionDescriptor.For(OptionsType);
}
