using System.Text.RegularExpressions;
using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;

namespace ExcelMedical.DbRunbook.Engine.Loading;

/// <summary>
/// Reads <c>.env</c> files in the guide's format: <c>NAME=value</c> lines, <c>#</c> comments,
/// optional <c>export</c>, single or double quotes. Problems are reported at the env file's own
/// line; values never appear in a message (the file holds the passwords).
/// </summary>
internal static partial class DotEnvFile
{
    /// <summary>Reads the file within <paramref name="maxBytes"/> (a regular file only); null when it cannot be read.</summary>
    public static IReadOnlyDictionary<string, string>? Read(string path, DiagnosticBag diagnostics, long maxBytes) =>
        BoundedTextFile.TryRead(path, maxBytes, "the env file", diagnostics) is { } text ? Parse(text, path, diagnostics) : null;

    public static IReadOnlyDictionary<string, string> Parse(string text, string path, DiagnosticBag diagnostics)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                diagnostics.Add(new SourceLocation(path, i + 1, 1), "expected NAME=value");
                continue;
            }

            var name = line[..equals].Trim();
            if (!NameRegex().IsMatch(name))
            {
                diagnostics.Add(new SourceLocation(path, i + 1, 1), "the name before '=' must be letters, digits and _ (not starting with a digit)");
                continue;
            }

            var value = line[(equals + 1)..].Trim();
            if (Unquote(value) is { } unquoted)
            {
                values[name] = unquoted;
            }
            else
            {
                var column = lines[i].IndexOf(value[0], lines[i].IndexOf('=', StringComparison.Ordinal)) + 1;
                diagnostics.Add(new SourceLocation(path, i + 1, column), $"the value of {name} opens a {value[0]} quote that is not closed on this line");
            }
        }

        return values;
    }

    /// <summary>The value without its quotes (and an inline comment); null when a quote is not closed.</summary>
    private static string? Unquote(string value)
    {
        if (value.Length > 0 && value[0] is '"' or '\'')
        {
            var quote = value[0];
            var close = 1;
            while (close < value.Length && (value[close] != quote || (quote == '"' && value[close - 1] == '\\')))
            {
                close++;
            }

            if (close >= value.Length)
            {
                return null;
            }

            var inner = value[1..close];
            return quote == '"' ? inner.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\"", "\"", StringComparison.Ordinal) : inner;
        }

        // An unquoted value ends at an inline comment.
        var comment = value.IndexOf(" #", StringComparison.Ordinal);
        return comment >= 0 ? value[..comment].TrimEnd() : value;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex NameRegex();
}
