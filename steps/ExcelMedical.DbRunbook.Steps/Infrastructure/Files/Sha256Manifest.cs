using System.Security.Cryptography;
using System.Text;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Files;

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

    /// <summary>
    /// The entries of a sha256sum manifest (the inverse of <see cref="Render"/>): name to lower-case
    /// hash; binary-mode lines (<c>hash *name</c>) and GNU's escaped lines are understood, anything
    /// that is not an entry is ignored.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Parse(string manifest)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in manifest.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var escaped = line.StartsWith('\\');
            if (escaped)
            {
                line = line[1..];
            }

            if (line.Length < 66 || line[64] != ' ' || (line[65] != ' ' && line[65] != '*') || !line[..64].All(char.IsAsciiHexDigit))
            {
                continue;
            }

            var name = line[66..];
            if (escaped)
            {
                name = Unescape(name);
            }

            entries[name] = line[..64].ToLowerInvariant();
        }

        return entries;
    }

    private static string Unescape(string name)
    {
        var text = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] == '\\' && i + 1 < name.Length)
            {
                i++;
                text.Append(name[i] switch { 'n' => '\n', 'r' => '\r', _ => name[i] });
            }
            else
            {
                text.Append(name[i]);
            }
        }

        return text.ToString();
    }
}
