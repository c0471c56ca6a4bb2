using ExcelMedical.DbRunbook.Engine.Model;

namespace ExcelMedical.DbRunbook.Engine.Diagnostics;

/// <summary>
/// Collects every problem instead of stopping at the first, capped so a badly broken file
/// cannot flood the terminal (the habit of actions/runner's TemplateValidationErrors).
/// Warnings are kept beside the errors but do not make a playbook invalid.
/// </summary>
internal sealed class DiagnosticBag
{
    public const int DefaultLimit = 100;

    private readonly List<Diagnostic> _items = [];
    private readonly HashSet<Diagnostic> _seen = [];
    private readonly int _limit;

    public DiagnosticBag(int limit = DefaultLimit) => _limit = limit;

    /// <summary>The errors kept (warnings are not counted).</summary>
    public int Count => _items.Count(d => !d.IsWarning);

    public int WarningCount => _items.Count(d => d.IsWarning);

    public bool HasErrors => _items.Any(d => !d.IsWarning);

    /// <summary>True when more problems were found than are kept.</summary>
    public bool Truncated { get; private set; }

    /// <summary>
    /// True once the cap is reached: callers skip costly work (a "did you mean" search over
    /// thousands of names) for problems that would not be kept anyway.
    /// </summary>
    public bool IsFull => _items.Count >= _limit;

    public void Add(SourceLocation location, string message) => Add(new Diagnostic(location, message));

    public void AddWarning(SourceLocation location, string message) => Add(new Diagnostic(location, message, Severity.Warning));

    public void Add(Diagnostic diagnostic)
    {
        if (IsFull)
        {
            Truncated = true;
            return;
        }

        // The same message at the same place (e.g. a template checked twice) is reported once.
        if (_seen.Add(diagnostic))
        {
            _items.Add(diagnostic);
        }
    }

    public void AddRange(IEnumerable<Diagnostic> diagnostics)
    {
        foreach (var d in diagnostics)
        {
            Add(d);
        }
    }

    /// <summary>Takes in another bag's problems, and that it stopped counting if it did.</summary>
    public void AddRange(DiagnosticBag other)
    {
        AddRange(other._items);
        Truncated |= other.Truncated;
    }

    /// <summary>The problems in file order, so the output reads top to bottom like the file.</summary>
    public IReadOnlyList<Diagnostic> Sorted() =>
        [.. _items
            .OrderBy(d => d.Location.File, StringComparer.Ordinal)
            .ThenBy(d => d.Location.Line)
            .ThenBy(d => d.Location.Column)];

    public IReadOnlyList<Diagnostic> Warnings() => [.. Sorted().Where(d => d.IsWarning)];
}
