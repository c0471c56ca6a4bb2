using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Model;
using Scriban.Runtime;

namespace ExcelMedical.DbRunbook.Engine.Templating;

/// <summary>Small formatting helpers for reports and notifications, beside Scriban's built-ins.</summary>
internal static class TemplateFunctions
{
    public static void Import(ScriptObject globals)
    {
        globals.Import("bytes", new Func<object?, string>(Bytes));
        globals.Import("duration", new Func<object?, string>(FormatDuration));
    }

    /// <summary><c>{{ 1536 | bytes }}</c> gives <c>1.5 KiB</c>.</summary>
    public static string Bytes(object? value)
    {
        if (!double.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out var size))
        {
            return string.Empty;
        }

        return ByteSize.Format(size);
    }

    /// <summary><c>{{ 5400 | duration }}</c> (seconds) gives <c>1h30m</c>; a TimeSpan or "01:30:00" too.</summary>
    public static string FormatDuration(object? value) => value switch
    {
        TimeSpan span => Duration.Format(span),
        null => string.Empty,
        // Durations read back from the JSON run model arrive as "00:01:23.4560000".
        string text when text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) => Duration.Format(span),
        _ when double.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            => Duration.Format(TimeSpan.FromSeconds(seconds)),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}
