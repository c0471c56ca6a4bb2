namespace ExcelMedical.DbRunbook.Engine.Diagnostics;

/// <summary>Suggests the closest known name for a misspelt one.</summary>
internal static class DidYouMean
{
    /// <summary>Names longer than this get no suggestion: comparing them costs more than it helps.</summary>
    private const int MaxNameLength = 100;

    /// <summary>
    /// How many names of a similar length one suggestion compares at most: a generated playbook
    /// can declare tens of thousands, and a hint must not cost more than the check it decorates.
    /// </summary>
    private const int MaxComparisons = 2000;

    /// <summary>Returns <c> (did you mean 'x'?)</c>, or an empty string when nothing is close.</summary>
    public static string Hint(string typed, IEnumerable<string> known)
    {
        var best = Closest(typed, known);
        return best is null ? string.Empty : $" (did you mean '{best}'?)";
    }

    public static string? Closest(string typed, IEnumerable<string> known)
    {
        if (typed.Length > MaxNameLength)
        {
            return null;
        }

        // Allow roughly one typo per three characters; beyond that a suggestion is noise.
        var tolerance = Math.Max(2, typed.Length / 3);
        string? best = null;
        var bestDistance = int.MaxValue;
        var compared = 0;
        foreach (var candidate in known)
        {
            // Names whose lengths differ by more than the tolerance cannot be close enough: skip
            // them without the quadratic comparison (a playbook can declare thousands of names).
            if (Math.Abs(candidate.Length - typed.Length) > tolerance || candidate.Length > MaxNameLength)
            {
                continue;
            }

            if (++compared > MaxComparisons)
            {
                break;
            }

            var distance = Distance(typed, candidate, bestDistance == int.MaxValue ? tolerance : Math.Min(tolerance, bestDistance));
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }

        return bestDistance <= tolerance ? best : null;
    }

    /// <summary>
    /// Optimal string alignment distance (Levenshtein plus adjacent transpositions), ignoring case.
    /// Stops early with <paramref name="limit"/> + 1 once no alignment can stay within the limit.
    /// </summary>
    internal static int Distance(string a, string b, int limit = int.MaxValue - 1)
    {
        // Three rows of the table are all the recurrence needs.
        Span<int> before = stackalloc int[b.Length + 1];
        Span<int> previous = stackalloc int[b.Length + 1];
        Span<int> current = stackalloc int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        var previousMin = 0;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMin = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = Same(a[i - 1], b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && Same(a[i - 1], b[j - 2]) && Same(a[i - 2], b[j - 1]))
                {
                    current[j] = Math.Min(current[j], before[j - 2] + 1);
                }

                rowMin = Math.Min(rowMin, current[j]);
            }

            // Later rows grow from this row and the one before (a transposition reaches back two).
            if (rowMin > limit && previousMin > limit)
            {
                return limit + 1;
            }

            previousMin = rowMin;
            var recycled = before;
            before = previous;
            previous = current;
            current = recycled;
        }

        return previous[b.Length];
    }

    private static bool Same(char x, char y) => x == y || char.ToLowerInvariant(x) == char.ToLowerInvariant(y);
}
