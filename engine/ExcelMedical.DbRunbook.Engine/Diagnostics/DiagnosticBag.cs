using ExcelMedical.DbRunbook.Engine.Model;

namespace ExcelMedical.DbRunbook.Engine.Diagnostics;

/// <summary>
/// Collects every problem instead of stopping at the first, capped so a badly broken file
/// cannot flood the terminal (the habit of actions/runner's TemplateValidationErrors).
/// </summary>
internal sealed class DiagnosticBag
{
    public const int DefaultLimit = 100;

    private readonly List<Diagnostic> _items = [];
    private readonly int _limit;

    public DiagnosticBag(int limit = DefaultLimit) => _limit = limit;

    public int Count => _items.Count;

    public bool HasErrors => _items.Count > 0;

    /// <summary>True when more problems were found than are kept.</summary>
    public bool Truncated { get; private set; }

    public void Add(SourceLocation location, string message)
    {
        if (_items.Count >= _limit)
        {
            Truncated = true;
            return;
        }

        // The same message at the same place (e.g. a template checked twice) is reported once.
        if (_items.Any(d => d.Location == location && d.Message == message))
        {
            return;
        }

        _items.Add(new Diagnostic(location, message));
    }

    public void AddRange(IEnumerable<Diagnostic> diagnostics)
    {
        foreach (var d in diagnostics)
        {
            Add(d.Location, d.Message);
        }
    }

    /// <summary>The problems in file order, so the output reads top to bottom like the file.</summary>
    public IReadOnlyList<Diagnostic> Sorted() =>
        [.. _items
            .OrderBy(d => d.Location.File, StringComparer.Ordinal)
            .ThenBy(d => d.Location.Line)
            .ThenBy(d => d.Location.Column)];
}
