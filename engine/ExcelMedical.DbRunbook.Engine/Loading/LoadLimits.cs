namespace ExcelMedical.DbRunbook.Engine.Loading;

/// <summary>
/// How much reading a playbook (and its <c>env_file</c>) may cost, in one place. A scheduler runs
/// the company's backups from a folder anyone with write access can drop a file into: no file may
/// crash it, hang it or starve the other playbooks. Every limit is far above any real playbook
/// (the shipped ones are under 20 KiB, 10 levels deep and a few hundred values) and low enough
/// that `runbook validate` of the worst file ends in a few seconds and a few hundred MB.
/// README.md ("Limits") documents the same numbers.
/// </summary>
internal sealed record LoadLimits
{
    public static LoadLimits Default { get; } = new();

    /// <summary>A playbook file larger than this is refused before it is read.</summary>
    public long MaxPlaybookBytes { get; init; } = 1024 * 1024;

    /// <summary>An env_file larger than this is refused before it is read.</summary>
    public long MaxEnvFileBytes { get; init; } = 256 * 1024;

    /// <summary>
    /// How deeply lists and mappings may nest. Recursion over the tree is bounded by this, which
    /// is what makes a stack overflow (which .NET cannot catch) impossible.
    /// </summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>
    /// How many values (scalars, lists, mappings) the file may hold, counting each use of an alias
    /// (<c>*name</c>) as a full copy of what it names: a 600-byte "billion laughs" is refused
    /// when the count passes this, long before anything is expanded.
    /// </summary>
    public int MaxNodes { get; init; } = 250_000;

    /// <summary>How long loading and validating one file may take before it is reported and skipped.</summary>
    public TimeSpan MaxLoadTime { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How much memory loading and validating one file may allocate before it is reported and skipped.</summary>
    public long MaxLoadAllocation { get; init; } = 512L * 1024 * 1024;

    /// <summary>
    /// The stack of the thread a file is loaded on: known and generous, so the bounded recursion
    /// above (and Scriban's own depth limit of 250 in templates) always fits, whatever thread
    /// asked for the load.
    /// </summary>
    public int LoadStackBytes { get; init; } = 16 * 1024 * 1024;
}
