using System.Globalization;
using System.Text;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Archives;

/// <summary>A collection found in a mongodump layout inside the archive, with its .metadata.json (options, indexes) when it has one.</summary>
internal sealed record FoundCollection(string Database, string Name, string Type, long Documents, long Bytes, bool HasData, bool HasMetadata, MongoDB.Bson.BsonDocument? Metadata = null);

/// <summary>What the verification of one archive found, rendered as e.g. verification/mongo_backup_verify.txt.</summary>
internal sealed class ArchiveFindings(string file)
{
    public string File { get; } = file;

    public List<string> Problems { get; } = [];

    public long? SizeBytes { get; set; }

    public string? Sha256 { get; set; }

    public int GzipMembers { get; set; }

    public long UncompressedBytes { get; set; }

    public int Entries { get; set; }

    public int Folders { get; set; }

    public int Files { get; set; }

    public SortedSet<string> TopFolders { get; } = new(StringComparer.Ordinal);

    public List<FoundCollection> Collections { get; } = [];

    /// <summary>The dump step compared with, and the documents per collection it dumped.</summary>
    public string? ComparedWith { get; set; }

    public IReadOnlyDictionary<string, long>? Expected { get; set; }

    /// <summary>Collections with data by key: the name, or db.name when the archive holds several databases.</summary>
    public SortedDictionary<string, long> Counts()
    {
        var databases = Collections.Select(c => c.Database).Distinct(StringComparer.Ordinal).Count();
        return new SortedDictionary<string, long>(
            Collections.Where(c => c.HasData).ToDictionary(c => databases > 1 ? $"{c.Database}.{c.Name}" : c.Name, c => c.Documents, StringComparer.Ordinal),
            StringComparer.Ordinal);
    }

    public void CompareWith(string step, IReadOnlyDictionary<string, long> expected)
    {
        ComparedWith = step;
        Expected = expected;
        var found = Counts();
        foreach (var (collection, documents) in expected)
        {
            if (!found.TryGetValue(collection, out var inArchive))
            {
                Problems.Add($"collection {collection} ({documents} documents dumped by step '{step}') is not in the archive");
            }
            else if (inArchive != documents)
            {
                Problems.Add($"collection {collection}: step '{step}' dumped {documents} documents, the archive holds {inArchive}");
            }
        }

        foreach (var collection in found.Keys.Where(name => !expected.ContainsKey(name)))
        {
            Problems.Add($"collection {collection} is in the archive but step '{step}' did not dump it");
        }
    }

    public string Render(DateTimeOffset now)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var counts = Counts();
        text.AppendLine(inv, $"Backup archive verification — {now:yyyy-MM-dd HH:mm:ss zzz}");
        text.AppendLine(inv, $"File:                {File}");
        if (SizeBytes is not null)
        {
            text.AppendLine(inv, $"Size:                {SizeBytes} bytes");
        }

        if (Sha256 is not null)
        {
            text.AppendLine(inv, $"SHA-256:             {Sha256}");
        }

        text.AppendLine(inv, $"Gzip members:        {GzipMembers} (header, deflate data, CRC-32 and length of each checked)");
        text.AppendLine(inv, $"Uncompressed:        {UncompressedBytes} bytes");
        var good = Problems.Count == 0;
        text.AppendLine(inv, $"Tar entries:         {Entries} ({Folders} folders, {Files} files{(good ? ", every byte read" : " read before the first problem")})");
        if (TopFolders.Count > 0)
        {
            text.AppendLine(inv, $"Top folder:          {string.Join(", ", TopFolders)}");
        }

        if (Collections.Count > 0)
        {
            var databases = Collections.Select(c => c.Database).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            var views = Collections.Count(c => c.Type == "view");
            text.AppendLine(inv, $"Databases:           {string.Join(", ", databases)}");
            text.AppendLine(inv, $"Collections:         {counts.Count} ({counts.Values.Sum()} documents{(good ? ", every one parsed" : string.Empty)}){(views > 0 ? $", {views} view(s)" : string.Empty)}");
        }

        if (ComparedWith is not null)
        {
            text.AppendLine(inv, $"Compared with:       step {ComparedWith}{(Expected is null ? string.Empty : $" ({Expected.Count} collections, {Expected.Values.Sum()} documents)")}");
        }

        text.AppendLine(inv, $"Result:              {(Problems.Count == 0 ? "OK" : "FAILED")}");
        foreach (var problem in Problems)
        {
            text.AppendLine(inv, $"  problem: {problem}");
        }

        if (counts.Count > 0 || Expected is { Count: > 0 })
        {
            text.AppendLine();
            text.AppendLine(inv, $"{"Collection",-40} {"Expected",12} {"Found",12}");
            var names = counts.Keys.Union(Expected?.Keys ?? [], StringComparer.Ordinal).Order(StringComparer.Ordinal);
            foreach (var name in names)
            {
                var expected = Expected is null ? "-" : Expected.TryGetValue(name, out var e) ? e.ToString(inv) : "(none)";
                var found = counts.TryGetValue(name, out var f) ? f.ToString(inv) : "(missing)";
                var mark = Expected is not null && expected != found ? "  <-- differs" : string.Empty;
                text.AppendLine(inv, $"{name,-40} {expected,12} {found,12}{mark}");
            }
        }

        return text.ToString();
    }
}
