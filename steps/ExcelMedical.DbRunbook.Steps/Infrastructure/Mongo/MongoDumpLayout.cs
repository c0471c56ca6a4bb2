using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Mongo;

/// <summary>
/// File names of mongodump's directory layout (mongo-tools <c>prepare.go</c>), so that
/// <c>mongorestore</c> reads what <c>mongo.dump</c> writes: <c>&lt;db&gt;/&lt;collection&gt;.bson</c>
/// and <c>&lt;collection&gt;.metadata.json</c>, collection names escaped like Go's
/// <c>url.QueryEscape</c>, over-long names cut to 208 bytes + <c>%24</c> + base64url(sha1(name)).
/// </summary>
internal static class MongoDumpLayout
{
    public const string BsonExtension = ".bson";

    public const string MetadataExtension = ".metadata.json";

    /// <summary>Time-series data lives in (and is dumped from) this bucket collection.</summary>
    public const string BucketsPrefix = "system.buckets.";

    private const int MaxEscapedLength = 238;
    private const int TruncatedLength = 208;

    /// <summary>
    /// The archive's top folder: the file's name without <c>.tar.gz</c>, so <c>tar -xzf
    /// mongo_20261125_020000.tar.gz -C /tmp</c> gives <c>/tmp/mongo_20261125_020000/&lt;db&gt;/…</c>.
    /// </summary>
    public static string TopFolderFor(string archivePath)
    {
        var name = Path.GetFileName(archivePath);
        foreach (var suffix in new[] { ".tar.gz", ".tgz", ".tar" })
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && name.Length > suffix.Length)
            {
                return name[..^suffix.Length];
            }
        }

        return Path.GetFileNameWithoutExtension(name);
    }

    /// <summary>The file name (without extension) mongodump gives a collection.</summary>
    public static string FileBaseFor(string collectionName)
    {
        var escaped = QueryEscape(collectionName);
        if (escaped.Length <= MaxEscapedLength)
        {
            return escaped;
        }

        return escaped[..TruncatedLength] + "%24" + Base64Url(Sha1(collectionName));
    }

    /// <summary>Go's <c>url.QueryEscape</c>: unreserved bytes stay, space becomes '+', every other UTF-8 byte %XX.</summary>
    public static string QueryEscape(string value)
    {
        var text = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                text.Append(c);
            }
            else if (c == ' ')
            {
                text.Append('+');
            }
            else
            {
                text.Append('%').Append(Convert.ToHexString([b]));
            }
        }

        return text.ToString();
    }

    /// <summary>Go's <c>url.QueryUnescape</c>; false for a malformed escape.</summary>
    public static bool TryQueryUnescape(string escaped, [NotNullWhen(true)] out string? value)
    {
        value = null;
        var bytes = new List<byte>(escaped.Length);
        for (var i = 0; i < escaped.Length; i++)
        {
            var c = escaped[i];
            if (c == '+')
            {
                bytes.Add((byte)' ');
            }
            else if (c == '%')
            {
                if (i + 2 >= escaped.Length || !char.IsAsciiHexDigit(escaped[i + 1]) || !char.IsAsciiHexDigit(escaped[i + 2]))
                {
                    return false;
                }

                bytes.Add(Convert.FromHexString(escaped.AsSpan(i + 1, 2))[0]);
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes([c]));
            }
        }

        value = Encoding.UTF8.GetString([.. bytes]);
        return true;
    }

    // SHA-1 is what mongodump uses to name long collections; it names a file, it protects nothing.
#pragma warning disable CA5350
    private static byte[] Sha1(string value) => SHA1.HashData(Encoding.UTF8.GetBytes(value));
#pragma warning restore CA5350

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
