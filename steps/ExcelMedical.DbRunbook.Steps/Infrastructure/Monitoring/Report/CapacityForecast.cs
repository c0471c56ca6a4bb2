using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.History;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Report;

/// <summary>What the capacity forecast is computed from (the guide's "capacity planning").</summary>
/// <param name="DataDisks">Per growth metric, the disk (a system.metrics path) that holds its data.</param>
internal sealed record CapacitySettings(IReadOnlyList<string> GrowthMetrics, double DiskThresholdPercent, IReadOnlyDictionary<string, string> DataDisks);

/// <summary>
/// One line of the capacity forecast: a database or a disk, its size now, its growth per day
/// (least squares over the readings) and the days until the disk reaches the threshold at that
/// rate. <see cref="DaysLeft"/> is null when it does not run out at that rate; <see cref="Note"/> says why.
/// </summary>
internal sealed record ForecastRow(
    string Kind,
    string Name,
    string Metric,
    double Now,
    LinearTrend? Trend,
    string? Disk,
    double? HeadroomBytes,
    double? UsedPercent,
    double? DaysLeft,
    string? Note)
{
    public double? PerDay => Trend?.PerDay;

    /// <summary>The database engine of a database row, from its metric's family (postgres, mongo); null for a disk.</summary>
    public string? Engine => Kind == "disk" ? null : MetricHistory.FamilyOf(Metric);

    /// <summary>How a person reads the row's name: "postgres database excel_medical", "disk /var/lib/postgresql".</summary>
    public string Label => Engine is { } engine ? $"{engine} {Kind} {Name}" : $"{Kind} {Name}";
}

/// <summary>
/// Database and disk growth per day from the metric history, and the days left until the disk
/// threshold (system.disk_pct's critical level, 80% in the guide). A database's days are counted
/// on the disk that holds its data (data_disks) as if it alone grew; a disk's on its own growth,
/// which also counts backups, logs and WAL.
/// </summary>
internal static class CapacityForecast
{
    public const string DiskUsed = "system.disk_used_bytes";
    public const string DiskAvailable = "system.disk_available_bytes";

    public static IReadOnlyList<ForecastRow> Build(IReadOnlyList<MetricHistory> histories, CapacitySettings settings)
    {
        ArgumentNullException.ThrowIfNull(histories);
        ArgumentNullException.ThrowIfNull(settings);
        var disks = Disks(histories, settings.DiskThresholdPercent);
        var rows = new List<ForecastRow>();
        foreach (var metric in settings.GrowthMetrics)
        {
            var dataDisk = settings.DataDisks.GetValueOrDefault(metric) ?? (settings.DataDisks.Count == 0 && disks.Count == 1 ? disks[0].Path : null);
            var headroom = dataDisk is null ? null : disks.FirstOrDefault(d => string.Equals(d.Path, dataDisk, StringComparison.Ordinal));
            var history = histories.FirstOrDefault(h => string.Equals(h.Name, metric, StringComparison.Ordinal));
            foreach (var series in history?.Series ?? [])
            {
                var trend = LinearTrend.Fit(series.Points);
                var (days, note) = (trend, headroom) switch
                {
                    (null, _) => ((double?)null, "not enough history for a trend (two readings at least)"),
                    (_, null) when dataDisk is null => (null, "no data disk given (data_disks)"),
                    (_, null) => (null, $"no disk history for {dataDisk} (system.metrics paths)"),
                    ({ } t, { } d) => Days(t, d.Headroom, d.Path, settings.DiskThresholdPercent),
                };
                rows.Add(new ForecastRow("database", series.Target, metric, series.Last.Value, trend, dataDisk, headroom?.Headroom, null, days, note));
            }
        }

        foreach (var disk in disks)
        {
            var trend = LinearTrend.Fit(disk.Used.Points);
            var (days, note) = trend is null
                ? (null, "not enough history for a trend (two readings at least)")
                : Days(trend, disk.Headroom, disk.Path, settings.DiskThresholdPercent);
            rows.Add(new ForecastRow("disk", disk.Path, DiskUsed, disk.Used.Last.Value, trend, disk.Path, disk.Headroom, disk.UsedPercent, days, note));
        }

        return rows;
    }

    private static (double? Days, string? Note) Days(LinearTrend trend, double headroom, string disk, double threshold)
    {
        var days = trend.DaysUntilUsed(headroom);
        var note = days switch
        {
            null => "not growing",
            0 => $"{disk} is already above {threshold:0.#}%",
            _ when trend.SpanDays < 1 => "trend of less than a day of readings",
            _ => null,
        };
        return (days, note);
    }

    /// <summary>Each disk with its latest used and available bytes (df: use% = used / (used + available)).</summary>
    private static List<DiskState> Disks(IReadOnlyList<MetricHistory> histories, double threshold)
    {
        var used = histories.FirstOrDefault(h => string.Equals(h.Name, DiskUsed, StringComparison.Ordinal));
        var available = histories.FirstOrDefault(h => string.Equals(h.Name, DiskAvailable, StringComparison.Ordinal));
        var disks = new List<DiskState>();
        foreach (var series in used?.Series ?? [])
        {
            if (available?.Of(series.Target) is not { } free)
            {
                continue;
            }

            var usedNow = series.Last.Value;
            var size = usedNow + free.Last.Value;
            var headroom = (threshold / 100.0 * size) - usedNow;
            disks.Add(new DiskState(series.Target, series, headroom, size == 0 ? 0 : 100.0 * usedNow / size));
        }

        return disks;
    }

    private sealed record DiskState(string Path, MetricSeries Used, double Headroom, double UsedPercent);
}
