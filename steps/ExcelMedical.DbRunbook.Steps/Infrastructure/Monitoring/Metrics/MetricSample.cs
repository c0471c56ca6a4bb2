using System.Collections;
using System.Globalization;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Metrics;

/// <summary>
/// One reading of one metric for one target (e.g. <c>postgres.connections</c> of
/// <c>db1:5432</c>), or the reason it could not be read (<see cref="Error"/>, an UNKNOWN alert).
/// Metric steps publish their samples as the output <c>samples</c>; monitor.evaluate and
/// metrics.history read them back from there.
/// </summary>
internal sealed record MetricSample(string Metric, string Target, double? Value, string Unit, string? Detail = null, string? Error = null)
{
    public bool IsUnknown => Error is not null || Value is null;

    /// <summary>The alert key: metric and target, e.g. <c>postgres.bloat_pct:excel_medical.public.audit_logs</c>.</summary>
    public string Key => $"{Metric}:{Target}";

    public static MetricSample Unknown(string metric, string target, string error) => new(metric, target, null, string.Empty, null, error);

    public Dictionary<string, object?> ToOutput() => new(StringComparer.Ordinal)
    {
        ["metric"] = Metric,
        ["target"] = Target,
        ["value"] = Value,
        ["unit"] = Unit,
        ["detail"] = Detail,
        ["error"] = Error,
    };

    /// <summary>Reads a sample back from a step's outputs (a map with metric, target, value, unit, detail, error).</summary>
    public static MetricSample? FromOutput(object? output)
    {
        if (output is not IEnumerable entries)
        {
            return null;
        }

        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            switch (entry)
            {
                case KeyValuePair<string, object?> pair:
                    map[pair.Key] = pair.Value;
                    break;
                case DictionaryEntry pair:
                    map[pair.Key.ToString() ?? string.Empty] = pair.Value;
                    break;
                default:
                    return null;
            }
        }

        if (map.GetValueOrDefault("metric") is not string metric || map.GetValueOrDefault("target") is not string target)
        {
            return null;
        }

        double? value = map.GetValueOrDefault("value") switch
        {
            null => null,
            IConvertible number => number.ToDouble(CultureInfo.InvariantCulture),
            _ => null,
        };
        return new MetricSample(metric, target, value, map.GetValueOrDefault("unit") as string ?? string.Empty, map.GetValueOrDefault("detail") as string, map.GetValueOrDefault("error") as string);
    }

    public string FormatValue() => Value is not { } value ? "unknown" : FormatValue(value, Unit);

    public static string FormatValue(double value, string unit) => unit switch
    {
        "bytes" => Engine.Model.ByteSize.Format((long)value),
        "percent" => value.ToString("0.#", CultureInfo.InvariantCulture) + "%",
        "seconds" => value.ToString("0.#", CultureInfo.InvariantCulture) + " s",
        "" => value.ToString("0.##", CultureInfo.InvariantCulture),
        _ => value.ToString("0.##", CultureInfo.InvariantCulture) + " " + unit,
    };
}
