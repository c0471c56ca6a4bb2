namespace ExcelMedical.DbRunbook.Tests.Maintenance;

/// <summary>
/// A clock stopped at the reference time the sample data is relative to, so retention cutoffs are
/// exact to the second, while timers stay real (batch pauses and timeouts still elapse, which a
/// FakeTimeProvider would hold forever).
/// </summary>
public sealed class ReferenceClock(DateTimeOffset reference) : TimeProvider
{
    /// <summary>Sunday 1 AM, when the shipped playbook runs.</summary>
    public static readonly DateTimeOffset Sunday = new(2026, 11, 22, 1, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => reference;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
}
