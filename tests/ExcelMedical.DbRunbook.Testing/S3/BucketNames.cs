using System.Security.Cryptography;
using System.Text;

namespace ExcelMedical.DbRunbook.Testing.S3;

/// <summary>Unique, always-valid S3 bucket names, so parallel tests on one server never collide.</summary>
internal static class BucketNames
{
    private const int MaxPrefixLength = 40;

    /// <summary>"prefix-" + 12 random hex digits; the prefix is lower-cased and reduced to [a-z0-9-].</summary>
    public static string Unique(string prefix)
    {
        var cleaned = new StringBuilder();
        foreach (var character in (prefix ?? "").ToLowerInvariant())
        {
            cleaned.Append(character is (>= 'a' and <= 'z') or (>= '0' and <= '9') ? character : '-');
        }

        // Bucket names start with a letter or digit; a hyphen right before the suffix would double up.
        var stem = cleaned.ToString().Trim('-');
        if (stem.Length > MaxPrefixLength)
        {
            stem = stem[..MaxPrefixLength].TrimEnd('-');
        }

        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        return stem.Length == 0 ? "bucket-" + suffix : $"{stem}-{suffix}";
    }
}
