namespace ExcelMedical.DbRunbook.Testing.Postgres;

/// <summary>What <see cref="SampleData.LoadAsync"/> loaded: the scale and the time the data is relative to.</summary>
public sealed record SampleLoad(int Scale, DateTimeOffset ReferenceTime)
{
    /// <summary>The oldest created_at in every log table (exactly <see cref="SampleData.LogHistory"/> before the reference time).</summary>
    public DateTimeOffset OldestLogTime => ReferenceTime - SampleData.LogHistory;

    public IReadOnlyDictionary<string, long> ExpectedRowCounts => SampleData.ExpectedRowCounts(Scale);

    /// <summary>Rows of a log table older than <paramref name="age"/> at the reference time.</summary>
    public long LogRowsOlderThan(string table, TimeSpan age) => SampleData.LogRowsOlderThan(table, Scale, age);
}
