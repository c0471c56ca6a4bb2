using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;

namespace ExcelMedical.DbRunbook.Engine.Loading;

/// <summary>
/// Reads the fixed keys of one mapping (the playbook, a step, a notifier): reports unknown keys
/// with a suggestion and wrongly shaped values, and hands back typed values.
/// </summary>
internal sealed class MappingReader
{
    private readonly MappingNode _node;
    private readonly DiagnosticBag _diagnostics;
    private readonly string _what;

    public MappingReader(MappingNode node, IReadOnlyCollection<string> knownKeys, string what, DiagnosticBag diagnostics)
    {
        _node = node;
        _diagnostics = diagnostics;
        _what = what;
        ReportUnknownKeys(node, knownKeys, what, diagnostics);
    }

    public static void ReportUnknownKeys(MappingNode node, IReadOnlyCollection<string> knownKeys, string what, DiagnosticBag diagnostics)
    {
        foreach (var entry in node.Entries.Where(e => !knownKeys.Contains(e.Name)))
        {
            diagnostics.Add(entry.Key.Location, $"unknown key '{entry.Name}' in {what}{DidYouMean.Hint(entry.Name, knownKeys)}");
        }
    }

    public SourceLocation Location => _node.Location;

    public ValueNode? Node(string key) => _node.Find(key)?.Value;

    public ScalarNode? Scalar(string key)
    {
        var node = Node(key);
        if (node is null or ScalarNode)
        {
            return node as ScalarNode;
        }

        _diagnostics.Add(node.Location, $"'{key}' must be a single value, not {node.Shape}");
        return null;
    }

    public Located<string>? Text(string key)
    {
        var scalar = Scalar(key);
        return scalar?.Value is null ? null : new Located<string>(scalar.Value, scalar.Location);
    }

    public Located<string>? RequiredText(string key)
    {
        var text = Text(key);
        if (text is null && Node(key) is null or ScalarNode { IsNull: true })
        {
            _diagnostics.Add(_node.Location, $"{_what} is missing the required key '{key}'");
        }

        return text;
    }

    public bool Bool(string key, bool fallback)
    {
        var scalar = Scalar(key);
        if (scalar?.Value is null)
        {
            return fallback;
        }

        if (bool.TryParse(scalar.Value, out var value))
        {
            return value;
        }

        _diagnostics.Add(scalar.Location, $"'{key}' must be true or false, not '{scalar.Value}'");
        return fallback;
    }

    public int Int(string key, int fallback, int min, int max)
    {
        var scalar = Scalar(key);
        if (scalar?.Value is null)
        {
            return fallback;
        }

        if (int.TryParse(scalar.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        _diagnostics.Add(scalar.Location, $"'{key}' must be a whole number from {min} to {max}, not '{scalar.Value}'");
        return fallback;
    }

    /// <summary>A duration from 0 (more than 0 when <paramref name="positive"/>) to <paramref name="max"/> (<see cref="Model.Duration.Longest"/> if not given).</summary>
    public TimeSpan? Duration(string key, bool positive = false, TimeSpan? max = null)
    {
        var scalar = Scalar(key);
        if (scalar?.Value is null)
        {
            return null;
        }

        var longest = max ?? Model.Duration.Longest;
        if (Model.Duration.TryParse(scalar.Value, out var value, out var tooLong) && value <= longest)
        {
            if (positive && value == TimeSpan.Zero)
            {
                _diagnostics.Add(scalar.Location, $"'{key}' must be longer than 0 (leave it out for no {key})");
                return null;
            }

            return value;
        }

        _diagnostics.Add(scalar.Location, tooLong || value > longest
            ? $"'{key}' is too long: at most {Model.Duration.Format(longest)}, not '{scalar.Value}'"
            : $"'{key}' must be a duration such as 30s, 5m, 1h30m or 00:05:00, not '{scalar.Value}'");
        return null;
    }

    public MappingNode? Mapping(string key)
    {
        var node = Node(key);
        if (node is null or ScalarNode { IsNull: true })
        {
            return null;
        }

        if (node is MappingNode mapping)
        {
            return mapping;
        }

        _diagnostics.Add(node.Location, $"'{key}' must be a mapping of names to values, not {node.Shape}");
        return null;
    }

    public SequenceNode? Sequence(string key)
    {
        var node = Node(key);
        if (node is null or ScalarNode { IsNull: true })
        {
            return null;
        }

        if (node is SequenceNode sequence)
        {
            return sequence;
        }

        _diagnostics.Add(node.Location, $"'{key}' must be a list, not {node.Shape}");
        return null;
    }
}
