using System.Runtime.CompilerServices;
using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ExcelMedical.DbRunbook.Engine.Loading;

/// <summary>
/// Reads YAML text into a <see cref="ValueNode"/> tree from the parser's events, so every node
/// keeps the line and column where it starts and duplicate keys become diagnostics instead of
/// exceptions. Reading is bounded by <see cref="LoadLimits"/>: nesting depth (the recursion here
/// goes no deeper), the number of values counting alias copies, and the load's time and memory.
/// </summary>
internal sealed class YamlTreeReader
{
    private readonly string _file;
    private readonly DiagnosticBag _diagnostics;
    private readonly LoadBudget _budget;
    private readonly LineSeparators _separators;
    private readonly Dictionary<string, Anchored> _anchors = new(StringComparer.Ordinal);
    private long _nodes;
    private Mark _lastMark = Mark.Empty;

    private YamlTreeReader(string file, DiagnosticBag diagnostics, LoadBudget budget, LineSeparators separators)
    {
        _file = file;
        _diagnostics = diagnostics;
        _budget = budget;
        _separators = separators;
    }

    private LoadLimits Limits => _budget.Limits;

    /// <summary>Parses the one document of the text; returns null (with a diagnostic) when the YAML is malformed or over a limit.</summary>
    public static ValueNode? Read(string text, string file, DiagnosticBag diagnostics) =>
        Read(text, file, diagnostics, new LoadBudget(LoadLimits.Default));

    public static ValueNode? Read(string text, string file, DiagnosticBag diagnostics, LoadBudget budget)
    {
        var separators = LineSeparators.Shield(text);
        var reader = new YamlTreeReader(file, diagnostics, budget, separators);
        try
        {
            var parser = new Parser(new StringReader(separators.Text));
            parser.Consume<StreamStart>();
            if (!parser.TryConsume<DocumentStart>(out _))
            {
                return null;
            }

            var root = reader.ReadNode(parser, depth: 0);
            parser.Consume<DocumentEnd>();
            if (parser.TryConsume<DocumentStart>(out var second))
            {
                diagnostics.Add(reader.At(second.Start), "a second YAML document starts here; a playbook file holds exactly one (remove the '---' line, or move what follows to its own file)");
                return null;
            }

            return root;
        }
        catch (YamlException ex)
        {
            diagnostics.Add(YamlSyntaxError.Describe(separators.Text, file, ex));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up this way when the file ends inside a [ ] or { }.
            diagnostics.Add(YamlSyntaxError.DescribeUnclosed(separators.Text, file, reader._lastMark));
            return null;
        }
        catch (LimitReachedException ex)
        {
            diagnostics.Add(ex.Location, ex.Message);
            return null;
        }
    }

    private ValueNode ReadNode(IParser parser, int depth)
    {
        _budget.Check();
        if (parser.Current is { } current)
        {
            _lastMark = current.Start;
        }

        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (_anchors.TryGetValue(alias.Value.Value, out var target))
            {
                // The tree shares the node, but whatever walks it (validation, rendering) visits
                // every copy: count them all.
                Count(target.Size, alias.Start, $"the alias '*{alias.Value}' repeats {target.Size} value(s); ");
                return target.Node;
            }

            _diagnostics.Add(At(alias.Start), $"unknown YAML alias '*{alias.Value}'");
            return new ScalarNode(null, false, At(alias.Start));
        }

        var before = _nodes;
        Count(1, parser.Current?.Start ?? _lastMark, string.Empty);
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            var quoted = scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded;
            return Remember(scalar.Anchor, new ScalarNode(ScalarValue(scalar), quoted, At(scalar.Start)), before);
        }

        var start = parser.Current?.Start ?? _lastMark;
        if (depth >= Limits.MaxDepth)
        {
            throw new LimitReachedException(At(start), $"lists and mappings are nested more than {Limits.MaxDepth} levels deep here; a playbook may nest at most {Limits.MaxDepth} (see 'Limits' in the README)");
        }

        // Bounded by MaxDepth, so this never runs out of stack; the check is a second line of defence.
        RuntimeHelpers.EnsureSufficientExecutionStack();
        if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            var items = new List<ValueNode>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadNode(parser, depth + 1));
            }

            return Remember(sequenceStart.Anchor, new SequenceNode(items, At(sequenceStart.Start)), before);
        }

        var mappingStart = parser.Consume<MappingStart>();
        var entries = new List<MappingEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var keyNode = ReadNode(parser, depth + 1);
            var value = ReadNode(parser, depth + 1);
            if (keyNode is not ScalarNode key || key.Value is null)
            {
                _diagnostics.Add(keyNode.Location, "a mapping key must be a plain name");
                continue;
            }

            if (!names.Add(key.Value))
            {
                _diagnostics.Add(key.Location, $"duplicate key '{key.Value}'");
                continue;
            }

            entries.Add(new MappingEntry(key, value));
        }

        return Remember(mappingStart.Anchor, new MappingNode(entries, At(mappingStart.Start)), before);
    }

    /// <summary>Adds values to the file's count; past <see cref="LoadLimits.MaxNodes"/> the file is refused.</summary>
    private void Count(long values, Mark at, string why)
    {
        _nodes += values;
        if (_nodes > Limits.MaxNodes)
        {
            throw new LimitReachedException(At(at), $"{why}the playbook holds more than {Limits.MaxNodes} values, counting each alias as a copy of what it names; a playbook may hold at most {Limits.MaxNodes} (see 'Limits' in the README)");
        }
    }

    private ValueNode Remember(AnchorName anchor, ValueNode node, long countBefore)
    {
        if (!anchor.IsEmpty)
        {
            _anchors[anchor.Value] = new Anchored(node, _nodes - countBefore);
        }

        return node;
    }

    /// <summary>YAML's null spellings become null, but only when written plain (<c>"null"</c> is text).</summary>
    private string? ScalarValue(Scalar scalar)
    {
        if (scalar.Style != ScalarStyle.Plain)
        {
            return _separators.Restore(scalar.Value);
        }

        return scalar.Value is "" or "~" or "null" or "Null" or "NULL" ? null : _separators.Restore(scalar.Value);
    }

    private SourceLocation At(Mark mark) => new(_file, (int)mark.Line, (int)mark.Column);

    private sealed record Anchored(ValueNode Node, long Size);

    /// <summary>Stops reading a file that went over a limit; the message says which.</summary>
    private sealed class LimitReachedException(SourceLocation location, string message) : Exception(message)
    {
        public SourceLocation Location { get; } = location;
    }
}
