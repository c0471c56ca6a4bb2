using System.Security.Cryptography;
using System.Text;

namespace ExcelMedical.DbRunbook.Testing.Postgres;

/// <summary>Unique, always-valid database names, so parallel tests on one server never collide.</summary>
internal static class DatabaseNames
{
    private const int MaxPrefixLength = 40;

    /// <summary>"prefix_" + 12 random hex digits; the prefix is lower-cased and reduced to [a-z0-9_].</summary>
    public static string Unique(string prefix)
    {
        var cleaned = new StringBuilder();
        foreach (var character in (prefix ?? "").ToLowerInvariant())
        {
            cleaned.Append(character is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' ? character : '_');
        }

        var stem = cleaned.Length == 0 || char.IsDigit(cleaned[0]) ? "db_" + cleaned : cleaned.ToString();
        if (stem.Length > MaxPrefixLength)
        {
            stem = stem[..MaxPrefixLength];
        }

        return $"{stem.TrimEnd('_')}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
    }

    /// <summary>A double-quoted SQL identifier.</summary>
    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
