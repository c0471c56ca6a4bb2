using System.ComponentModel.DataAnnotations;

namespace ExcelMedical.DbRunbook.Steps.SharedOptions;

/// <summary>
/// One entry of a retention policy (a table of postgres.retention, a collection of
/// mongo.retention): what is purged once its date is more than days old, and whether a large
/// purge is allowed. The rules live here; each step declares its entry's name, date field, days
/// and allow_large_delete itself, with wording for rows or documents.
/// </summary>
public abstract class RetentionEntryOptions
{
    [Required]
    [Range(1, 36500)]
    public abstract int Days { get; set; }

    public abstract bool AllowLargeDelete { get; set; }

    /// <summary>The table or collection the entry names.</summary>
    protected abstract string Target { get; }

    /// <summary>
    /// The checks of a whole policy: not empty, no entry below min_days, no entry twice.
    /// </summary>
    /// <param name="kind">What an entry names: table, collection (the list option is its plural).</param>
    /// <param name="example">An entry to show when the list is empty.</param>
    internal static IEnumerable<ValidationResult> ValidatePolicy<TEntry>(IReadOnlyList<TEntry> entries, int minDays, string kind, string example)
        where TEntry : RetentionEntryOptions
    {
        if (entries.Count == 0)
        {
            yield return new ValidationResult($"{kind}s is empty: list the {kind}s to purge, e.g. {example}");
        }

        foreach (var entry in entries.Where(e => e.Days > 0 && e.Days < minDays))
        {
            yield return new ValidationResult($"refused: {kind} '{entry.Target}' has days {entry.Days}, below min_days {minDays}; such a recent cutoff is taken for a mistake (raise days, or lower min_days if it is really meant)");
        }

        foreach (var duplicate in entries.GroupBy(e => e.Target.Trim(), StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            yield return new ValidationResult($"{kind} '{duplicate.Key}' is listed {duplicate.Count()} times; list each {kind} once");
        }
    }
}
