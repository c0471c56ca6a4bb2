using System.Globalization;
using System.Text.RegularExpressions;

namespace ExcelMedical.DbRunbook.Engine.Model;

/// <summary>Durations as operators write them: <c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>500ms</c>, <c>2d</c> or <c>00:05:00</c>.</summary>
public static partial class Duration
{
    public const string Pattern = @"^\s*((\d+(\.\d+)?)(ms|s|m|h|d)\s*)+$";

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            value = TimeSpan.FromSeconds(seconds);
            return seconds >= 0;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
        }

        if (!DurationRegex().IsMatch(text))
        {
            return false;
        }

        foreach (Match part in PartRegex().Matches(text))
        {
            var amount = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            value += part.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
        }

        return true;
    }

    /// <summary>The shortest readable form: <c>1h30m</c>, <c>45s</c>, <c>250ms</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value < TimeSpan.FromSeconds(1))
        {
            return $"{(int)value.TotalMilliseconds}ms";
        }

        if (value < TimeSpan.FromMinutes(1))
        {
            return value.TotalSeconds % 1 == 0
                ? $"{(int)value.TotalSeconds}s"
                : value.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s";
        }

        var parts = new List<string>();
        if (value.Days > 0)
        {
            parts.Add($"{value.Days}d");
        }

        if (value.Hours > 0)
        {
            parts.Add($"{value.Hours}h");
        }

        if (value.Minutes > 0)
        {
            parts.Add($"{value.Minutes}m");
        }

        if (value.Seconds > 0)
        {
            parts.Add($"{value.Seconds}s");
        }

        return string.Concat(parts);
    }

    [GeneratedRegex(Pattern)]
    private static partial Regex DurationRegex();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|s|m|h|d)")]
    private static partial Regex PartRegex();
}
