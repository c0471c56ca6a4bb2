namespace ExcelMedical.DbRunbook.Testing.Mongo;

/// <summary>
/// Where the i-th of n sample documents sits in time: spread evenly over a history window that
/// ends at the reference time. Document i (0-based) is H − floor(i·H / n) whole seconds old, H being
/// the history in seconds, so the oldest is exactly H old and the newest is at least a second old.
/// Seeding and <see cref="OlderThan"/> both use this arithmetic, so expected counts are exact.
/// </summary>
internal static class SampleTimeline
{
    public static long AgeInSeconds(long index, long count, TimeSpan history)
    {
        var seconds = HistorySeconds(history);
        return seconds - (index * seconds / count);
    }

    public static DateTimeOffset CreatedAt(long index, long count, TimeSpan history, DateTimeOffset referenceTime) =>
        referenceTime - TimeSpan.FromSeconds(AgeInSeconds(index, count, history));

    /// <summary>
    /// How many of <paramref name="count"/> documents are strictly older than <paramref name="age"/>
    /// (created_at &lt; reference − age). Ages are whole seconds, so a document is older exactly when its
    /// age is at least floor(age) + 1 seconds, i.e. floor(i·H/n) &lt; H − floor(age), i.e. i &lt; (H − floor(age))·n / H.
    /// </summary>
    public static long OlderThan(long count, TimeSpan history, TimeSpan age)
    {
        if (age < TimeSpan.Zero)
        {
            return count;
        }

        var seconds = HistorySeconds(history);
        var wholeAge = age.Ticks / TimeSpan.TicksPerSecond;
        if (wholeAge >= seconds)
        {
            return 0;
        }

        var remaining = seconds - wholeAge;
        return Math.Min(count, ((remaining * count) + seconds - 1) / seconds);
    }

    private static long HistorySeconds(TimeSpan history) => history.Ticks / TimeSpan.TicksPerSecond;
}
