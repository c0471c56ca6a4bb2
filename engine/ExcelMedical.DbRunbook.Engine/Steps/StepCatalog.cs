using System.Reflection;
using System.Text.RegularExpressions;
using ExcelMedical.DbRunbook.Engine.Options;

namespace ExcelMedical.DbRunbook.Engine.Steps;

/// <summary>
/// The steps a playbook can use. A step is added with one line, <c>catalog.Add&lt;MyStep&gt;()</c>,
/// which checks its declaration at once so a broken step fails at start-up, not mid-run.
/// </summary>
public sealed partial class StepCatalog
{
    private readonly SortedDictionary<string, StepDescriptor> _steps = new(StringComparer.Ordinal);

    internal IReadOnlyCollection<StepDescriptor> All => _steps.Values;

    internal IEnumerable<string> Names => _steps.Keys;

    public StepCatalog Add<TStep>()
        where TStep : IStep, new()
    {
        var attribute = typeof(TStep).GetCustomAttribute<StepAttribute>()
            ?? throw new InvalidOperationException($"{typeof(TStep).Name} needs a [Step(\"name\", \"summary\")] attribute");
        if (!StepNameRegex().IsMatch(attribute.Name))
        {
            throw new InvalidOperationException($"step name '{attribute.Name}' of {typeof(TStep).Name} must be lowercase words joined by dots or underscores");
        }

        if (_steps.ContainsKey(attribute.Name))
        {
            throw new InvalidOperationException($"two steps are named '{attribute.Name}'");
        }

        var probe = new TStep();
        _ = OptionDescriptor.For(probe.OptionsType);
        _steps.Add(attribute.Name, new StepDescriptor(attribute.Name, attribute.Summary, typeof(TStep), probe.OptionsType, () => new TStep()));
        return this;
    }

    internal StepDescriptor? Find(string name) => _steps.GetValueOrDefault(name);

    [GeneratedRegex("^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*$")]
    private static partial Regex StepNameRegex();
}
