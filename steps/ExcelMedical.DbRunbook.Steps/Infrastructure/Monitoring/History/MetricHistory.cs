using System.Text.RegularExpressions;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.History;

/// <summary>One reading of a metric's history.</summary>
internal readonly record struct MetricPoint(DateTime At, double Value);

/// <summary>
/// One target's readings of one metric (a database, a disk, a table), oldest first, and the times
/// it could not be read (UNKNOWN: charts break the line there rather than bridge it).
/// </summary>
internal sealed record MetricSeries(string Target, IReadOnlyList<MetricPoint> Points, IReadOnlyList<DateTime> Unknown)
{
    public MetricSeries(string target, IReadOnlyList<MetricPoint> points)
        : this(target, points, [])
    {
    }

    public MetricPoint Last => Points[^1];
}

/// <summary>
/// The history of one metric read back from the CSV files metrics.history writes: the file
/// <c>postgres_db_size.csv</c> and its continuations (<c>postgres_db_size.2.csv</c> …, started
/// when a file had another header) give the metric <c>postgres.db_size</c>, one series per target.
/// </summary>
internal sealed partial record MetricHistory(string Name, string FileStem, string Unit, IReadOnlyList<MetricSeries> Series)
{
    /// <summary>Readings with a value, across every target.</summary>
    public int Rows => Series.Sum(s => s.Points.Count);

    /// <summary>Readings without a value (UNKNOWN), across every target.</summary>
    public int UnknownRows => Series.Sum(s => s.Unknown.Count);

    public MetricSeries? Of(string target) => Series.FirstOrDefault(s => string.Equals(s.Target, target, StringComparison.Ordinal));

    /// <summary>
    /// Every metric of the folder, ordered by file name, with the rows at or after
    /// <paramref name="since"/>, times as the wall-clock time of <paramref name="zone"/>. Targets
    /// (and metrics) without a value in that window are left out.
    /// </summary>
    public static IReadOnlyList<MetricHistory> ReadFolder(string folder, DateTime since, TimeZoneInfo zone)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var files = Directory.EnumerateFiles(folder, "*.csv")
            .Select(path => (Path: path, Match: FileNameRegex().Match(Path.GetFileName(path))))
            .Where(f => f.Match.Success)
            .GroupBy(f => f.Match.Groups["stem"].Value, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        var histories = new List<MetricHistory>();
        foreach (var group in files)
        {
            var rows = group
                .OrderBy(f => f.Match.Groups["generation"].Success ? int.Parse(f.Match.Groups["generation"].Value, System.Globalization.CultureInfo.InvariantCulture) : 1)
                .SelectMany(f => MetricsCsvWriter.Read(f.Path, zone))
                .Where(r => r.At >= since)
                .ToList();
            if (rows.Count == 0)
            {
                continue;
            }

            var series = rows
                .GroupBy(r => r.Target, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new MetricSeries(
                    g.Key,
                    g.Where(r => r.Value is not null).OrderBy(r => r.At).Select(r => new MetricPoint(r.At, r.Value!.Value)).ToList(),
                    g.Where(r => r.Value is null).Select(r => r.At).Order().ToList()))
                .Where(s => s.Points.Count > 0)
                .ToList();
            if (series.Count == 0)
            {
                continue;
            }

            var unit = rows.Select(r => r.Unit).LastOrDefault(u => u.Length > 0) ?? string.Empty;
            histories.Add(new MetricHistory(NameOf(group.Key), group.Key, unit, series));
        }

        return histories;
    }

    /// <summary>The family of a metric (<c>postgres</c> of <c>postgres.db_size</c>): the engine or the host it measures.</summary>
    public static string FamilyOf(string metric)
    {
        var dot = metric.IndexOf('.', StringComparison.Ordinal);
        return dot <= 0 ? metric : metric[..dot];
    }

    /// <summary>The metric of a file stem: the family before the first underscore, then a dot (<c>system_disk_pct</c> → <c>system.disk_pct</c>).</summary>
    public static string NameOf(string stem)
    {
        var underscore = stem.IndexOf('_', StringComparison.Ordinal);
        return underscore <= 0 ? stem : string.Concat(stem.AsSpan(0, underscore), ".", stem.AsSpan(underscore + 1));
    }

    [GeneratedRegex(@"^(?<stem>[^.]+)(?:\.(?<generation>[0-9]+))?\.csv$")]
    private static partial Regex FileNameRegex();
}
