using System.Globalization;
using System.Net;
using System.Text;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.History;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Report;

/// <summary>How a chart is drawn.</summary>
internal sealed record ChartStyle(int MaxPoints = 600, int MaxSeries = 8, double? ReferenceLine = null, string? ReferenceLabel = null)
{
    /// <summary>Line colours, told apart also by colour-blind readers (Okabe–Ito).</summary>
    public static readonly IReadOnlyList<string> Palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];
}

/// <summary>
/// One metric's history as an inline SVG line chart: a polyline per target with one point per
/// reading (thinned only beyond <see cref="ChartStyle.MaxPoints"/>), value axis labelled in the
/// metric's unit, time axis with the first, middle and last time. The line breaks where the
/// metric could not be read (red marks on the time axis) or the monitor did not run for a while,
/// so an outage never looks like a steady value. No script, no external file.
/// </summary>
internal static class SvgLineChart
{
    private const double Width = 1000;
    private const double Height = 250;
    private const double Left = 78;
    private const double Right = 14;
    private const double Top = 12;
    private const double Bottom = 30;

    /// <summary>The series drawn: the first <see cref="ChartStyle.MaxSeries"/> by latest value, highest first.</summary>
    public static IReadOnlyList<MetricSeries> Drawn(MetricHistory metric, ChartStyle style)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(style);
        return metric.Series.Count <= style.MaxSeries
            ? metric.Series
            : [.. metric.Series.OrderByDescending(s => s.Last.Value).ThenBy(s => s.Target, StringComparer.Ordinal).Take(style.MaxSeries)];
    }

    public static string Render(MetricHistory metric, ChartStyle style, Func<string, string> text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var drawn = Drawn(metric, style).Select(s => (Series: s with { Points = Downsampler.Thin(s.Points, style.MaxPoints) }, Breaks: Breaks(s))).ToList();
        var points = drawn.SelectMany(s => s.Series.Points).ToList();
        var axis = ValueAxis.For(points.Select(p => p.Value).Append(style.ReferenceLine ?? points[0].Value), metric.Unit);
        var (low, high) = (axis.Low, axis.High);
        var start = points.Min(p => p.At);
        var end = points.Max(p => p.At);
        var span = (end - start).TotalSeconds;
        double X(DateTime at) => span <= 0 ? Left + ((Width - Left - Right) / 2) : Left + ((at - start).TotalSeconds / span * (Width - Left - Right));
        double Y(double value) => Top + ((high - value) / (high - low) * (Height - Top - Bottom));

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{Encode(text(metric.Name))}\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Encode(text(metric.Name))}</title>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"plot\" x=\"{Left}\" y=\"{Top}\" width=\"{Width - Left - Right}\" height=\"{Height - Top - Bottom}\" />\n");
        foreach (var tick in axis.Ticks)
        {
            var y = Y(tick);
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Width - Right}\" y2=\"{y:0.#}\" />");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{Encode(axis.Label(tick))}</text>\n");
        }

        foreach (var (at, anchor) in new[] { (start, "start"), (start + ((end - start) / 2), "middle"), (end, "end") }.DistinctBy(t => t.Item1))
        {
            var label = at.ToString(span < 86400 * 2 ? "MM-dd HH:mm" : "yyyy-MM-dd", CultureInfo.InvariantCulture);
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{X(at):0.#}\" y=\"{Height - 10}\" text-anchor=\"{(span <= 0 ? "middle" : anchor)}\">{Encode(label)}</text>\n");
        }

        if (style.ReferenceLine is { } reference)
        {
            var y = Y(reference);
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"threshold\" x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Width - Right}\" y2=\"{y:0.#}\" />");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"threshold-label\" x=\"{Width - Right - 4}\" y=\"{y - 4:0.#}\" text-anchor=\"end\">{Encode(text(style.ReferenceLabel ?? string.Empty))}</text>\n");
        }

        for (var i = 0; i < drawn.Count; i++)
        {
            var (series, breaks) = drawn[i];
            var colour = ChartStyle.Palette[i % ChartStyle.Palette.Count];
            var target = Encode(text(series.Target));
            foreach (var segment in Segments(series.Points, breaks))
            {
                var coordinates = string.Join(' ', segment.Select(p => string.Create(CultureInfo.InvariantCulture, $"{X(p.At):0.#},{Y(p.Value):0.#}")));
                svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"series\" data-target=\"{target}\" stroke=\"{colour}\" points=\"{coordinates}\"><title>{target}</title></polyline>\n");
            }

            var last = series.Last;
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(last.At):0.#}\" cy=\"{Y(last.Value):0.#}\" r=\"3\" fill=\"{colour}\" />\n");
            foreach (var at in series.Unknown.Where(at => at >= start && at <= end))
            {
                svg.Append(CultureInfo.InvariantCulture, $"<line class=\"unknown\" x1=\"{X(at):0.#}\" y1=\"{Height - Bottom:0.#}\" x2=\"{X(at):0.#}\" y2=\"{Height - Bottom - 10:0.#}\"><title>{target}: unknown at {at:yyyy-MM-dd HH:mm}</title></line>");
            }
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>
    /// Where the line must not be drawn through: each UNKNOWN reading, and the middle of each pause
    /// longer than three times the usual interval (at least an hour: the monitor did not run).
    /// Found on the full series, so thinning never hides them.
    /// </summary>
    internal static IReadOnlyList<DateTime> Breaks(MetricSeries series)
    {
        var breaks = new List<DateTime>(series.Unknown);
        var points = series.Points;
        if (points.Count >= 3)
        {
            var intervals = points.Zip(points.Skip(1), (a, b) => b.At - a.At).Order().ToList();
            var gap = TimeSpan.FromTicks(Math.Max(intervals[intervals.Count / 2].Ticks * 3, TimeSpan.FromHours(1).Ticks));
            breaks.AddRange(points.Zip(points.Skip(1)).Where(p => p.Second.At - p.First.At > gap).Select(p => p.First.At + ((p.Second.At - p.First.At) / 2)));
        }

        breaks.Sort();
        return breaks;
    }

    /// <summary>The points split into lines at the breaks that fall between two of them.</summary>
    internal static IEnumerable<IReadOnlyList<MetricPoint>> Segments(IReadOnlyList<MetricPoint> points, IReadOnlyList<DateTime> breaks)
    {
        var segment = new List<MetricPoint>();
        var next = 0;
        foreach (var point in points)
        {
            var broken = false;
            while (next < breaks.Count && breaks[next] < point.At)
            {
                broken |= segment.Count > 0 && breaks[next] > segment[^1].At;
                next++;
            }

            if (broken)
            {
                yield return segment;
                segment = [];
            }

            segment.Add(point);
        }

        if (segment.Count > 0)
        {
            yield return segment;
        }
    }

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
