using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.History;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Report;

/// <summary>
/// The least-squares line through a series of readings: how much it grows per day. Centred
/// sums keep the arithmetic exact enough for sizes in the terabytes over years of readings.
/// </summary>
internal sealed record LinearTrend(double PerDay, int Samples, DateTime From, DateTime To)
{
    /// <summary>The days the readings cover.</summary>
    public double SpanDays => (To - From).TotalDays;

    /// <summary>The trend of the readings, or null with fewer than two readings at different times.</summary>
    public static LinearTrend? Fit(IReadOnlyList<MetricPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count < 2)
        {
            return null;
        }

        var origin = points[0].At;
        double meanX = 0, meanY = 0;
        foreach (var point in points)
        {
            meanX += (point.At - origin).TotalDays;
            meanY += point.Value;
        }

        meanX /= points.Count;
        meanY /= points.Count;
        double sxx = 0, sxy = 0;
        foreach (var point in points)
        {
            var dx = (point.At - origin).TotalDays - meanX;
            sxx += dx * dx;
            sxy += dx * (point.Value - meanY);
        }

        if (sxx <= 0)
        {
            return null;
        }

        return new LinearTrend(sxy / sxx, points.Count, points.Min(p => p.At), points.Max(p => p.At));
    }

    /// <summary>
    /// Days until <paramref name="headroom"/> is used up at this rate: 0 when there is none left,
    /// null when the series is not growing (it never runs out at this rate).
    /// </summary>
    public double? DaysUntilUsed(double headroom) => headroom <= 0 ? 0 : PerDay <= 0 ? null : headroom / PerDay;
}
