using System.Globalization;
using System.Text;
using ExcelMedical.DbRunbook.Engine.IO;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Metrics;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.History;

/// <summary>
/// The guide's metric history: one CSV per metric (<c>metrics/postgres_db_size.csv</c>) with a
/// header row, one row per target per run appended. A file whose header differs (an older
/// layout, or edited by hand) is never appended to: the rows go to <c>name.2.csv</c> (then .3 …).
/// Timestamps carry their UTC offset (<c>2026-11-25 10:15:00+01:00</c>), so the hour repeated
/// when clocks go back, or a server moved to another time zone, stays unambiguous; rows written
/// before, without it, are still read as the local time they were written in.
/// </summary>
internal static class MetricsCsvWriter
{
    public const string Header = "timestamp,target,value,unit";

    private const string TimestampFormat = "yyyy-MM-dd HH:mm:sszzz";
    private const string LegacyTimestampFormat = "yyyy-MM-dd HH:mm:ss";

    public static string FileNameOf(string metric) =>
        string.Concat(metric.Select(c => char.IsLetterOrDigit(c) || c == '-' ? c : '_')) + ".csv";

    /// <summary>Appends the samples, grouped by metric; returns the files written.</summary>
    public static IReadOnlyList<string> Append(StepFiles files, string folder, DateTimeOffset at, IEnumerable<MetricSample> samples)
    {
        files.Folder(folder);
        var written = new List<string>();
        foreach (var group in samples.GroupBy(s => s.Metric, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var path = Choose(folder, FileNameOf(group.Key));
            var text = new StringBuilder();
            if (!File.Exists(path) || new FileInfo(path).Length == 0)
            {
                text.Append(Header).Append('\n');
            }

            foreach (var sample in group)
            {
                text.Append(at.ToString(TimestampFormat, CultureInfo.InvariantCulture)).Append(',')
                    .Append(Quote(sample.Target)).Append(',')
                    .Append(sample.Value?.ToString("R", CultureInfo.InvariantCulture) ?? string.Empty).Append(',')
                    .Append(Quote(sample.Unit)).Append('\n');
            }

            using (var stream = files.Append(path))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
            {
                writer.Write(text.ToString());
            }

            written.Add(path);
        }

        return written;
    }

    /// <summary>
    /// The rows of a history file (without the header), for charts and forecasts, with times as
    /// the wall-clock time of <paramref name="zone"/> (a row without an offset, from before they
    /// were written, as it stands). A row without a value (an UNKNOWN reading) has a null value;
    /// lines that do not parse are left out, and a file with another header (see <see cref="Append"/>) gives no rows.
    /// </summary>
    public static IEnumerable<(DateTime At, string Target, double? Value, string Unit)> Read(string path, TimeZoneInfo zone)
    {
        if (!string.Equals(FirstLine(path), Header, StringComparison.Ordinal))
        {
            yield break;
        }

        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var fields = Split(line);
            if (fields.Count >= 3 && TryParseTime(fields[0], zone, out var at))
            {
                var unit = fields.Count >= 4 ? fields[3] : string.Empty;
                if (fields[2].Length == 0)
                {
                    yield return (at, fields[1], null, unit);
                }
                else if (double.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
                {
                    yield return (at, fields[1], value, unit);
                }
            }
        }
    }

    private static bool TryParseTime(string text, TimeZoneInfo zone, out DateTime at)
    {
        if (DateTimeOffset.TryParseExact(text, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var stamped))
        {
            at = TimeZoneInfo.ConvertTime(stamped, zone).DateTime;
            return true;
        }

        return DateTime.TryParseExact(text, LegacyTimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out at);
    }

    private static string Choose(string folder, string fileName)
    {
        var stem = Path.GetFileNameWithoutExtension(fileName);
        for (var generation = 1; ; generation++)
        {
            var path = Path.Combine(folder, generation == 1 ? fileName : $"{stem}.{generation}.csv");
            if (!File.Exists(path) || new FileInfo(path).Length == 0 || string.Equals(FirstLine(path), Header, StringComparison.Ordinal))
            {
                return path;
            }
        }
    }

    private static string? FirstLine(string path)
    {
        using var reader = new StreamReader(path);
        return reader.ReadLine()?.TrimEnd('\r');
    }

    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static List<string> Split(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
