namespace ExcelMedical.DbRunbook.Testing.Support;

/// <summary>Waits for a condition that another thread or process makes true.</summary>
public static class Polling
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Polls <paramref name="condition"/> until it holds; false when the timeout passes first.</summary>
    public static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            if (TimeProvider.System.GetElapsedTime(started) >= timeout)
            {
                return false;
            }

            await Task.Delay(Interval, cancellationToken);
        }

        return true;
    }
}
