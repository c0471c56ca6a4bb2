using System.Globalization;
using System.Net;
using System.Text;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.History;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Metrics;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Report;

/// <summary>What the HTML monitoring report shows.</summary>
internal sealed record HtmlReportPage(
    string Title,
    DateTimeOffset Generated,
    string Folder,
    int Days,
    IReadOnlyList<MetricHistory> Metrics,
    IReadOnlyList<ForecastRow> Forecast,
    double DiskThresholdPercent,
    ChartStyle Style);

/// <summary>
/// Writes the monitoring report as one self-contained page (inline CSS and SVG, no script, nothing
/// fetched), well-formed XHTML so that any XML parser reads it too. Every value goes through
/// <c>text</c> (the secret masker) and then <see cref="WebUtility.HtmlEncode(string)"/>.
/// </summary>
internal static class HtmlReportWriter
{
    private const string Css = """
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d232a; margin: 0 auto; max-width: 1100px; padding: 16px 24px 48px; }
        h1 { font-size: 22px; margin: 8px 0 2px; }
        h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
        h3 { font-size: 15px; margin: 0; font-family: ui-monospace, Menlo, Consolas, monospace; }
        .meta, .note, figcaption span { color: #57606a; font-size: 13px; }
        nav a { display: inline-block; margin-right: 12px; white-space: nowrap; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #eaeef2; vertical-align: top; }
        th { background: #f6f8fa; font-weight: 600; }
        td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.days-left { white-space: normal; min-width: 11em; max-width: 20em; }
        td.basis { min-width: 12em; }
        td.soon { color: #b42318; font-weight: 600; }
        figure { margin: 18px 0 26px; }
        figcaption { display: flex; gap: 12px; align-items: baseline; margin-bottom: 4px; }
        svg.chart { width: 100%; height: auto; background: #fff; }
        svg .plot { fill: #fbfcfd; stroke: #d0d7de; }
        svg .grid { stroke: #eaeef2; }
        svg .axis { font: 11px system-ui, sans-serif; fill: #57606a; }
        svg .series { fill: none; stroke-width: 1.8; stroke-linejoin: round; }
        svg .threshold { stroke: #b42318; stroke-dasharray: 6 4; }
        svg .unknown { stroke: #b42318; stroke-width: 2; }
        svg .threshold-label { font: 11px system-ui, sans-serif; fill: #b42318; }
        ul.legend { list-style: none; padding: 0; margin: 4px 0 0; display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 13px; }
        .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px; border-radius: 2px; }
        """;

    public static string Write(HtmlReportPage page, Func<string, string> text)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(text);
        string T(string value) => WebUtility.HtmlEncode(text(value));
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n")
            .Append("<title>").Append(T(page.Title)).Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n");
        html.Append("<h1>").Append(T(page.Title)).Append("</h1>\n")
            .Append("<p class=\"meta\">Generated ").Append(T(page.Generated.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture)))
            .Append(" from the metric history in ").Append(T(page.Folder))
            .Append(CultureInfo.InvariantCulture, $" (last {page.Days} days, {page.Metrics.Count} metrics, {page.Metrics.Sum(m => m.Rows)} readings).</p>\n");
        if (page.Metrics.Count > 0)
        {
            html.Append("<nav><a href=\"#forecast\">capacity forecast</a>");
            foreach (var metric in page.Metrics)
            {
                html.Append("<a href=\"#").Append(T(Anchor(metric))).Append("\">").Append(T(metric.Name)).Append("</a>");
            }

            html.Append("</nav>\n");
        }

        WriteForecast(html, page, T);
        html.Append("<section id=\"charts\">\n<h2>Metric history</h2>\n");
        if (page.Metrics.Count == 0)
        {
            html.Append("<p class=\"note\">No readings yet: metrics.history has not written any CSV file to this folder in the period.</p>\n");
        }

        foreach (var metric in page.Metrics)
        {
            WriteChart(html, page, metric, text, T);
        }

        html.Append("</section>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void WriteForecast(StringBuilder html, HtmlReportPage page, Func<string, string> t)
    {
        var threshold = page.DiskThresholdPercent.ToString("0.#", CultureInfo.InvariantCulture);
        html.Append("<section id=\"forecast\">\n<h2>Capacity forecast</h2>\n");
        if (page.Forecast.Count == 0)
        {
            html.Append("<p class=\"note\">No database size or disk history in the period.</p>\n</section>\n");
            return;
        }

        html.Append("<table>\n<thead><tr><th>Database / disk</th><th>Now</th><th>Growth per day</th><th>In 30 days</th>")
            .Append("<th>Days until the disk reaches ").Append(t(threshold)).Append("%</th><th>Basis</th></tr></thead>\n<tbody>\n");
        foreach (var row in page.Forecast)
        {
            var isDisk = row.Kind == "disk";
            html.Append("<tr class=\"").Append(t(row.Kind)).Append("\" data-name=\"").Append(t(row.Name)).Append('"');
            if (row.Engine is { } engine)
            {
                html.Append(" data-engine=\"").Append(t(engine)).Append('"');
            }

            html.Append("><td><strong>").Append(t(row.Name)).Append("</strong><br /><span class=\"note\">")
                .Append(t(isDisk ? "disk (used bytes)" : $"{row.Engine} database ({row.Metric})")).Append("</span></td>");
            var now = ByteSize.Format(row.Now) + (row.UsedPercent is { } used ? string.Create(CultureInfo.InvariantCulture, $" ({used:0.#}% used)") : string.Empty);
            html.Append("<td class=\"number\">").Append(t(now)).Append("</td>");
            if (row.Trend is { } trend)
            {
                html.Append("<td class=\"number growth\" data-per-day=\"").Append(trend.PerDay.ToString("R", CultureInfo.InvariantCulture)).Append("\">")
                    .Append(t((trend.PerDay >= 0 ? "+" : string.Empty) + ByteSize.Format(trend.PerDay) + "/day")).Append("</td>")
                    .Append("<td class=\"number\">").Append(t(ByteSize.Format(Math.Max(0, row.Now + (30 * trend.PerDay))))).Append("</td>");
            }
            else
            {
                html.Append("<td class=\"number growth\">–</td><td class=\"number\">–</td>");
            }

            if (row.DaysLeft is { } days)
            {
                var by = page.Generated.AddDays(Math.Min(days, 365_000)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                var shown = days < 10 ? days.ToString("0.#", CultureInfo.InvariantCulture) : days.ToString("N0", CultureInfo.InvariantCulture);
                html.Append("<td class=\"number days-left").Append(days < 30 ? " soon" : string.Empty).Append("\" data-days=\"").Append(days.ToString("R", CultureInfo.InvariantCulture)).Append("\">")
                    .Append(t($"{shown} days")).Append("<br /><span class=\"note\">").Append(t($"around {by}")).Append("</span>");
            }
            else
            {
                html.Append("<td class=\"number days-left\">–");
            }

            var on = row.Disk is { } disk && !isDisk && row.DaysLeft is not null ? $"on {disk}, as if only this grew" : null;
            foreach (var line in new[] { on, row.Note }.OfType<string>())
            {
                html.Append("<br /><span class=\"note\">").Append(t(line)).Append("</span>");
            }

            html.Append("</td><td class=\"note basis\">");
            if (row.Trend is { } basis)
            {
                html.Append(t(string.Create(CultureInfo.InvariantCulture, $"{basis.Samples} readings since {basis.From:yyyy-MM-dd HH:mm}")));
            }

            html.Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n<p class=\"note\">Growth is the slope of a straight line fitted to the readings of the period. ")
            .Append("A database's days are counted on the disk that holds its data as if it alone grew; a disk's days use the disk's own growth, ")
            .Append("which also includes backups, logs and WAL. The threshold is the disk alert's critical level.</p>\n</section>\n");
    }

    private static void WriteChart(StringBuilder html, HtmlReportPage page, MetricHistory metric, Func<string, string> text, Func<string, string> t)
    {
        var style = metric.Name == "system.disk_pct"
            ? page.Style with { ReferenceLine = page.DiskThresholdPercent, ReferenceLabel = $"alert at {page.DiskThresholdPercent:0.#}%" }
            : page.Style;
        var drawn = SvgLineChart.Drawn(metric, style);
        var first = metric.Series.Min(s => s.Points[0].At);
        var last = metric.Series.Max(s => s.Last.At);
        html.Append("<figure class=\"metric\" id=\"").Append(t(Anchor(metric))).Append("\" data-metric=\"").Append(t(metric.Name))
            .Append(CultureInfo.InvariantCulture, $"\" data-rows=\"{metric.Rows}\">\n<figcaption><h3>").Append(t(metric.Name)).Append("</h3><span>")
            .Append(t(string.Create(CultureInfo.InvariantCulture, $"{(metric.Unit.Length == 0 ? "value" : metric.Unit)}; {metric.Rows} readings of {metric.Series.Count} target(s), {first:yyyy-MM-dd HH:mm} to {last:yyyy-MM-dd HH:mm}{(metric.UnknownRows > 0 ? $"; {metric.UnknownRows} unreadable (red marks)" : string.Empty)}")))
            .Append("</span></figcaption>\n");
        html.Append(SvgLineChart.Render(metric, style, text)).Append('\n');
        html.Append("<ul class=\"legend\">\n");
        for (var i = 0; i < drawn.Count; i++)
        {
            var series = drawn[i];
            var low = series.Points.Min(p => p.Value);
            var high = series.Points.Max(p => p.Value);
            html.Append("<li><span class=\"swatch\" style=\"background:").Append(ChartStyle.Palette[i % ChartStyle.Palette.Count]).Append("\"></span>")
                .Append(t(series.Target)).Append(": ").Append(t(MetricSample.FormatValue(series.Last.Value, metric.Unit)))
                .Append(" <span class=\"note\">(").Append(t($"{MetricSample.FormatValue(low, metric.Unit)} – {MetricSample.FormatValue(high, metric.Unit)}"))
                .Append(")</span></li>\n");
        }

        html.Append("</ul>\n");
        if (metric.Series.Count > drawn.Count)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">{metric.Series.Count - drawn.Count} more target(s) with lower latest values are not drawn; the CSV file {t(metric.FileStem)}.csv has them all.</p>\n");
        }

        html.Append("</figure>\n");
    }

    private static string Anchor(MetricHistory metric) => "metric-" + metric.FileStem;
}
