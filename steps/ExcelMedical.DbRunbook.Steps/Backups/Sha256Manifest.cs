using System.Security.Cryptography;
using System.Text;

namespace ExcelMedical.DbRunbook.Steps.Backups;

/// <summary>SHA-256 of files, and manifests in the format <c>sha256sum -c</c> reads.</summary>
internal static class Sha256Manifest
{
    public const string DefaultName = "SHA256SUMS";

    public static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            BufferSize = 1 << 20,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        });
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    public static async Task<string> HashStreamAsync(Stream stream, CancellationToken cancellationToken) =>
        Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));

    /// <summary>
    /// One <c>hash␠␠name</c> line per file (text mode, as sha256sum writes it). A name holding a
    /// backslash or a line break is escaped the way GNU sha256sum does: the line starts with a
    /// backslash and the name's <c>\</c>, newline and carriage return become <c>\\</c>, <c>\n</c>, <c>\r</c>.
    /// </summary>
    public static string Render(IEnumerable<KeyValuePair<string, string>> entries)
    {
        var text = new StringBuilder();
        foreach (var (name, hash) in entries)
        {
            var needsEscape = name.AsSpan().IndexOfAny('\\', '\n', '\r') >= 0;
            if (needsEscape)
            {
                text.Append('\\');
            }

            text.Append(hash).Append("  ");
            text.Append(needsEscape ? name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal) : name);
            text.Append('\n');
        }

        return text.ToString();
    }
}
