using System.Globalization;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Report;

/// <summary>
/// A chart's value axis with round ticks (1, 2 or 5 × a power of ten; for bytes in the binary
/// unit that fits, e.g. every 2 GiB) and short labels: the unit's name is in the chart's caption,
/// except for bytes, percent and seconds, which read naturally on the axis.
/// </summary>
internal sealed record ValueAxis(double Low, double High, IReadOnlyList<double> Ticks, double Scale, string Unit)
{
    private static readonly string[] ByteUnits = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    public static ValueAxis For(IEnumerable<double> values, string unit)
    {
        ArgumentNullException.ThrowIfNull(values);
        var list = values.ToList();
        var low = list.Min();
        var high = list.Max();
        var scale = 1.0;
        var suffix = unit;
        if (unit == "bytes")
        {
            var power = 0;
            while (Math.Max(Math.Abs(low), Math.Abs(high)) / scale >= 1024 && power < ByteUnits.Length - 1)
            {
                scale *= 1024;
                power++;
            }

            suffix = ByteUnits[power];
        }

        var (scaledLow, scaledHigh) = (low / scale, high / scale);
        if (scaledHigh - scaledLow < Math.Max(Math.Abs(scaledHigh), 1) * 1e-9)
        {
            // A flat line: give it room, and keep a positive series above zero.
            var room = Math.Max(Math.Abs(scaledHigh) * 0.05, 1);
            (scaledLow, scaledHigh) = (scaledLow >= 0 && scaledLow - room < 0 ? 0 : scaledLow - room, scaledHigh + room);
        }

        var step = NiceStep((scaledHigh - scaledLow) / 4);
        var first = Math.Floor(scaledLow / step) * step;
        var last = Math.Ceiling(scaledHigh / step) * step;
        var ticks = new List<double>();
        for (var tick = first; tick <= last + (step / 2); tick += step)
        {
            ticks.Add(Math.Round(tick / step) * step * scale);
        }

        return new ValueAxis(first * scale, last * scale, ticks, scale, suffix);
    }

    public string Label(double value)
    {
        var number = (value / Scale).ToString("0.##", CultureInfo.InvariantCulture);
        return Unit switch
        {
            "percent" => number + "%",
            "seconds" => number + " s",
            _ when Scale > 1 || Unit == "B" => number + " " + Unit,
            _ => number,
        };
    }

    private static double NiceStep(double rough)
    {
        if (rough <= 0 || !double.IsFinite(rough))
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var fraction = rough / magnitude;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
    }
}
