namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Metrics;

/// <summary>What a metric step gathers in one run: samples for alerts and history, and named details for reports.</summary>
internal sealed class MetricSet
{
    public List<MetricSample> Samples { get; } = [];

    public Dictionary<string, object?> Details { get; } = new(StringComparer.Ordinal);

    public void Add(string metric, string target, double value, string unit, string? detail = null) =>
        Samples.Add(new MetricSample(metric, target, value, unit, detail));

    public void Unknown(string metric, string target, string error) => Samples.Add(MetricSample.Unknown(metric, target, error));

    public Engine.Steps.StepOutputs ToOutputs()
    {
        var outputs = new Engine.Steps.StepOutputs();
        foreach (var (name, value) in Details)
        {
            outputs.Add(name, value);
        }

        outputs.Add("samples", Samples.Select(s => (object?)s.ToOutput()).ToList());
        outputs.Add("unknown_count", Samples.Count(s => s.IsUnknown));
        return outputs;
    }
}
