using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ExcelMedical.DbRunbook.Engine.Loading;

/// <summary>
/// Reads YAML text into a <see cref="ValueNode"/> tree from the parser's events, so every node
/// keeps the line and column where it starts and duplicate keys become diagnostics instead of
/// exceptions.
/// </summary>
internal sealed class YamlTreeReader
{
    private readonly string _file;
    private readonly DiagnosticBag _diagnostics;
    private readonly Dictionary<string, ValueNode> _anchors = new(StringComparer.Ordinal);
    private Mark _lastMark = Mark.Empty;

    private YamlTreeReader(string file, DiagnosticBag diagnostics)
    {
        _file = file;
        _diagnostics = diagnostics;
    }

    /// <summary>Parses the first document; returns null (with a diagnostic) when the YAML is malformed.</summary>
    public static ValueNode? Read(string text, string file, DiagnosticBag diagnostics)
    {
        var reader = new YamlTreeReader(file, diagnostics);
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (!parser.TryConsume<DocumentStart>(out _))
            {
                return null;
            }

            return reader.ReadNode(parser);
        }
        catch (YamlException ex)
        {
            diagnostics.Add(reader.At(ex.Start), "YAML syntax error: " + CleanMessage(ex));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up this way when the file ends inside a [ ] or { }.
            diagnostics.Add(reader.At(reader._lastMark), "YAML syntax error: the file ends before a '[' or '{' opened after this point is closed");
            return null;
        }
    }

    private ValueNode ReadNode(IParser parser)
    {
        if (parser.Current is { } current)
        {
            _lastMark = current.Start;
        }

        if (parser.TryConsume<Scalar>(out var scalar))
        {
            return Remember(scalar.Anchor, new ScalarNode(ScalarValue(scalar), scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded, At(scalar.Start)));
        }

        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (_anchors.TryGetValue(alias.Value.Value, out var target))
            {
                return target;
            }

            _diagnostics.Add(At(alias.Start), $"unknown YAML alias '*{alias.Value}'");
            return new ScalarNode(null, false, At(alias.Start));
        }

        if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            var items = new List<ValueNode>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadNode(parser));
            }

            return Remember(sequenceStart.Anchor, new SequenceNode(items, At(sequenceStart.Start)));
        }

        var mappingStart = parser.Consume<MappingStart>();
        var entries = new List<MappingEntry>();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var keyNode = ReadNode(parser);
            var value = ReadNode(parser);
            if (keyNode is not ScalarNode key || key.Value is null)
            {
                _diagnostics.Add(keyNode.Location, "a mapping key must be a plain name");
                continue;
            }

            if (entries.Any(e => e.Name == key.Value))
            {
                _diagnostics.Add(key.Location, $"duplicate key '{key.Value}'");
                continue;
            }

            entries.Add(new MappingEntry(key, value));
        }

        return Remember(mappingStart.Anchor, new MappingNode(entries, At(mappingStart.Start)));
    }

    private ValueNode Remember(YamlDotNet.Core.AnchorName anchor, ValueNode node)
    {
        if (!anchor.IsEmpty)
        {
            _anchors[anchor.Value] = node;
        }

        return node;
    }

    /// <summary>YAML's null spellings become null, but only when written plain (<c>"null"</c> is text).</summary>
    private static string? ScalarValue(Scalar scalar)
    {
        if (scalar.Style != ScalarStyle.Plain)
        {
            return scalar.Value;
        }

        return scalar.Value is "" or "~" or "null" or "Null" or "NULL" ? null : scalar.Value;
    }

    private SourceLocation At(Mark mark) => new(_file, (int)mark.Line, (int)mark.Column);

    private static string CleanMessage(YamlException ex)
    {
        // YamlDotNet prefixes messages with "(Line: n, Col: m, Idx: i) - (Line: ...): ".
        var message = ex.Message;
        var cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        return cut >= 0 ? message[(cut + 3)..] : message;
    }
}
