namespace ExcelMedical.DbRunbook.Engine.Model;

/// <summary>
/// A YAML value with its location, independent of the YAML library. Step options, connection
/// fields and variables stay in this form until they are rendered at run time.
/// </summary>
internal abstract record ValueNode(SourceLocation Location)
{
    /// <summary>A short name for the node's shape, used in "expected X, found Y" messages.</summary>
    public abstract string Shape { get; }
}

/// <summary>A scalar: its text, or null for YAML's null (<c>~</c>, <c>null</c> or nothing).</summary>
internal sealed record ScalarNode(string? Value, bool IsQuoted, SourceLocation Location) : ValueNode(Location)
{
    public override string Shape => "a value";

    public bool IsNull => Value is null;
}

internal sealed record SequenceNode(IReadOnlyList<ValueNode> Items, SourceLocation Location) : ValueNode(Location)
{
    public override string Shape => "a list";
}

internal sealed record MappingEntry(ScalarNode Key, ValueNode Value)
{
    public string Name => Key.Value ?? string.Empty;
}

internal sealed record MappingNode(IReadOnlyList<MappingEntry> Entries, SourceLocation Location) : ValueNode(Location)
{
    public override string Shape => "a mapping";

    public MappingEntry? Find(string name) => Entries.FirstOrDefault(e => e.Name == name);

    public static MappingNode Empty(SourceLocation location) => new([], location);
}
