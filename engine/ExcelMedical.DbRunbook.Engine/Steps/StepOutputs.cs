using System.Collections;

namespace ExcelMedical.DbRunbook.Engine.Steps;

/// <summary>
/// Named values a step hands to later steps (<c>{{ steps.dump.outputs.file }}</c>), to reports
/// and to the run record. Values are text, numbers, booleans, or lists and maps of them.
/// </summary>
public sealed class StepOutputs : IReadOnlyDictionary<string, object?>
{
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);

    public static StepOutputs None => new();

    public object? this[string key]
    {
        get => _values[key];
        set => _values[key] = value;
    }

    public IEnumerable<string> Keys => _values.Keys;

    public IEnumerable<object?> Values => _values.Values;

    public int Count => _values.Count;

    public StepOutputs Add(string name, object? value)
    {
        _values[name] = value;
        return this;
    }

    public bool ContainsKey(string key) => _values.ContainsKey(key);

    public bool TryGetValue(string key, out object? value) => _values.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
