using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.History;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Report;

/// <summary>
/// Thins a long series for a chart with "largest triangle three buckets" (Steinarsson, 2013):
/// it keeps the first and last readings and, per bucket, the reading that changes the line's
/// shape most, so spikes survive where averaging would flatten them.
/// </summary>
internal static class Downsampler
{
    public static IReadOnlyList<MetricPoint> Thin(IReadOnlyList<MetricPoint> points, int maxPoints)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (maxPoints < 3 || points.Count <= maxPoints)
        {
            return points;
        }

        var kept = new List<MetricPoint>(maxPoints) { points[0] };
        var bucket = (double)(points.Count - 2) / (maxPoints - 2);
        var previous = points[0];
        for (var i = 0; i < maxPoints - 2; i++)
        {
            // The next bucket's average is the triangle's third corner.
            var nextStart = (int)Math.Floor((i + 1) * bucket) + 1;
            var nextEnd = Math.Min((int)Math.Floor((i + 2) * bucket) + 1, points.Count);
            double averageX = 0, averageY = 0;
            for (var j = nextStart; j < nextEnd; j++)
            {
                averageX += points[j].At.Ticks;
                averageY += points[j].Value;
            }

            var count = Math.Max(nextEnd - nextStart, 1);
            averageX /= count;
            averageY /= count;

            var start = (int)Math.Floor(i * bucket) + 1;
            var end = (int)Math.Floor((i + 1) * bucket) + 1;
            var best = points[start];
            var largest = -1.0;
            for (var j = start; j < end; j++)
            {
                var area = Math.Abs(((previous.At.Ticks - averageX) * (points[j].Value - previous.Value))
                    - ((previous.At.Ticks - points[j].At.Ticks) * (averageY - previous.Value)));
                if (area > largest)
                {
                    largest = area;
                    best = points[j];
                }
            }

            kept.Add(best);
            previous = best;
        }

        kept.Add(points[^1]);
        return kept;
    }
}
