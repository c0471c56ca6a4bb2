using System.Globalization;
using System.Text.RegularExpressions;

namespace ExcelMedical.DbRunbook.Engine.Model;

/// <summary>Durations as operators write them: <c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>500ms</c>, <c>2d</c> or <c>00:05:00</c>.</summary>
public static partial class Duration
{
    public const string Pattern = @"^\s*((\d+(\.\d+)?)(ms|s|m|h|d)\s*)+$";

    /// <summary>
    /// The longest duration written anywhere in a playbook (ten years): beyond it a value is a
    /// typo, and far beyond it TimeSpan overflows.
    /// </summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(3650);

    /// <summary>The longest a .NET timer can wait (Task.Delay, CancellationTokenSource): 49 days, for <c>timeout</c> and <c>retry_delay</c>.</summary>
    public static readonly TimeSpan LongestTimer = TimeSpan.FromDays(49);

    public static bool TryParse(string? text, out TimeSpan value) => TryParse(text, out value, out _);

    /// <summary>Parses a duration; <paramref name="tooLong"/> tells a value longer than <see cref="Longest"/> from one that is not a duration.</summary>
    public static bool TryParse(string? text, out TimeSpan value, out bool tooLong)
    {
        value = TimeSpan.Zero;
        tooLong = false;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        double seconds;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain))
        {
            seconds = plain;
        }
        else if (text.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero && !(tooLong = value > Longest);
        }
        else if (DurationRegex().IsMatch(text))
        {
            // Summed as seconds in a double, so no part can overflow TimeSpan before the check below.
            seconds = 0;
            foreach (Match part in PartRegex().Matches(text))
            {
                var amount = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
                seconds += amount * part.Groups[2].Value switch
                {
                    "ms" => 0.001,
                    "s" => 1,
                    "m" => 60,
                    "h" => 3600,
                    _ => 86400,
                };
            }
        }
        else
        {
            return false;
        }

        if (double.IsNaN(seconds) || seconds < 0)
        {
            return false;
        }

        if (seconds > Longest.TotalSeconds)
        {
            tooLong = true;
            return false;
        }

        value = TimeSpan.FromSeconds(seconds);
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
