using System.Globalization;
using System.Text.RegularExpressions;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.S3;

/// <summary>Sizes as operators write them: 64MiB, 5 MiB, 1.5GiB, 8MB (binary, as the AWS CLI reads it) or plain bytes.</summary>
internal static partial class ByteSizeText
{
    public const string Pattern = @"^\s*[0-9]+(\.[0-9]+)?\s*([KkMmGgTt]i?[Bb]?|[Bb])?\s*$";

    public const string Expected = "a size such as 64MiB, 5 MiB, 1GiB or a number of bytes";

    public const long MinimumPartSize = 5L * 1024 * 1024;

    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        var match = text is null ? null : SizeRegex().Match(text);
        if (match is not { Success: true })
        {
            return false;
        }

        var number = double.Parse(match.Groups["number"].Value, CultureInfo.InvariantCulture);
        var multiplier = match.Groups["unit"].Value.ToUpperInvariant().FirstOrDefault() switch
        {
            'K' => 1024d,
            'M' => 1024d * 1024,
            'G' => 1024d * 1024 * 1024,
            'T' => 1024d * 1024 * 1024 * 1024,
            _ => 1d,
        };
        bytes = (long)Math.Ceiling(number * multiplier);
        return true;
    }

    public static long Parse(string text) =>
        TryParse(text, out var bytes) ? bytes : throw new FormatException($"'{text}' is not {Expected}");

    [GeneratedRegex(@"^\s*(?<number>[0-9]+(\.[0-9]+)?)\s*(?<unit>[KkMmGgTt]i?[Bb]?|[Bb])?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex SizeRegex();
}
