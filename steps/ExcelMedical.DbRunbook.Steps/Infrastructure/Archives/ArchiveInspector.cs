using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Compression;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Files;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Mongo;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Archives;

/// <summary>
/// Reads a .tar.gz from its first byte to its last: every gzip member (<see cref="VerifyingGzipStream"/>),
/// every tar entry and its data (<see cref="TarReader"/>), the tar's end-of-archive marker, and for a
/// mongodump layout every document of every .bson file and every .metadata.json.
/// </summary>
internal static class ArchiveInspector
{
    private const int TarBlock = 512;
    private const long MaxMetadataBytes = 64L * 1024 * 1024;

    public static void Inspect(string path, ArchiveFindings findings, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            findings.Problems.Add("the file does not exist");
            return;
        }

        findings.SizeBytes = new FileInfo(path).Length;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        using var hashing = new HashingReadStream(file, hash);
        using var gzip = new VerifyingGzipStream(hashing);
        var tar = new CountingReadStream(gzip);
        var layout = new DumpLayout();
        string? entryName = null;
        var complete = false;
        try
        {
            ReadTar(tar, findings, layout, name => entryName = name, cancellationToken);
            complete = true;
        }
        catch (InvalidDataException ex)
        {
            findings.Problems.Add(entryName is null ? ex.Message : $"{ex.Message} (while reading {entryName})");
        }
        catch (EndOfStreamException)
        {
            findings.Problems.Add($"the tar data ends inside {(entryName is null ? "the first entry" : entryName)}: the archive is truncated");
        }
        catch (FormatException ex)
        {
            findings.Problems.Add($"a tar header is not valid after {entryName ?? "the start"}: {ex.Message}");
        }

        if (!complete)
        {
            DrainGzip(gzip, findings);
        }

        findings.GzipMembers = gzip.Members;
        findings.UncompressedBytes = gzip.Position;

        // The fingerprint covers the whole file even when reading stopped at a problem.
        hashing.CopyTo(Stream.Null);
        findings.Sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        layout.Resolve(findings, complete);
    }

    /// <summary>
    /// After the tar could not be read to its end, reads the rest of the gzip data anyway: a corrupt
    /// member (a bad CRC-32) is the cause to report first, and explains the tar's or BSON's errors.
    /// </summary>
    private static void DrainGzip(VerifyingGzipStream gzip, ArchiveFindings findings)
    {
        try
        {
            gzip.CopyTo(Stream.Null);
        }
        catch (InvalidDataException ex)
        {
            if (!findings.Problems.Any(problem => problem.StartsWith(ex.Message, StringComparison.Ordinal)))
            {
                findings.Problems.Insert(0, ex.Message);
            }
        }
    }

    private static void ReadTar(CountingReadStream tar, ArchiveFindings findings, DumpLayout layout, Action<string> reading, CancellationToken cancellationToken)
    {
        using var reader = new TarReader(tar, leaveOpen: true);
        long entriesEnd = 0;
        while (reader.GetNextEntry() is { } entry)
        {
            cancellationToken.ThrowIfCancellationRequested();
            reading(entry.Name);
            findings.Entries++;
            var segments = entry.Name.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (segments.Length > 0)
            {
                findings.TopFolders.Add(segments[0]);
            }

            if (entry.EntryType == TarEntryType.Directory)
            {
                findings.Folders++;
            }
            else if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile)
            {
                findings.Files++;
                // An empty file has no data stream: an empty collection's .bson is one.
                var data = entry.DataStream ?? Stream.Null;
                ReadFile(entry.Name, entry.Length, segments, data, findings, layout, cancellationToken);
                data.CopyTo(Stream.Null);
            }

            entriesEnd = (tar.Position + TarBlock - 1) / TarBlock * TarBlock;
        }

        // TarReader stops at the first zero block, or quietly at the end of the data: check that
        // the archive really ends with its two zero blocks and nothing but zeros follows.
        var consumed = tar.Position;
        var buffer = new byte[64 * 1024];
        long rest = 0;
        var garbage = false;
        int read;
        while ((read = tar.Read(buffer)) > 0)
        {
            rest += read;
            garbage |= buffer.AsSpan(0, read).IndexOfAnyExcept((byte)0) >= 0;
        }

        if (garbage)
        {
            findings.Problems.Add("data follows the tar's end-of-archive marker");
        }
        else if (consumed + rest - entriesEnd < 2 * TarBlock)
        {
            findings.Problems.Add("the tar has no end-of-archive marker (two zero blocks) after its last entry: the archive is truncated");
        }
    }

    private static void ReadFile(string name, long length, string[] segments, Stream data, ArchiveFindings findings, DumpLayout layout, CancellationToken cancellationToken)
    {
        var fileName = segments.Length > 0 ? segments[^1] : name;
        var database = segments.Length >= 2 ? segments[^2] : string.Empty;
        if (fileName.EndsWith(MongoDumpLayout.MetadataExtension, StringComparison.Ordinal))
        {
            var fileBase = fileName[..^MongoDumpLayout.MetadataExtension.Length];
            if (ReadMetadata(name, length, data, findings) is { } metadata)
            {
                layout.Metadata[(database, fileBase)] = metadata;
            }
        }
        else if (fileName.EndsWith(MongoDumpLayout.BsonExtension, StringComparison.Ordinal))
        {
            var (documents, bytes, problem) = BsonSequence.Check(data, cancellationToken);
            if (problem is not null)
            {
                findings.Problems.Add($"{name}: {problem}");
            }

            layout.Data[(database, fileName[..^MongoDumpLayout.BsonExtension.Length])] = (documents, bytes);
        }
    }

    private static (string Name, string Type, BsonDocument Document)? ReadMetadata(string name, long length, Stream data, ArchiveFindings findings)
    {
        if (length > MaxMetadataBytes)
        {
            findings.Problems.Add($"{name}: {length} bytes is far too large for collection metadata");
            return null;
        }

        BsonDocument metadata;
        try
        {
            using var text = new StreamReader(data, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: false, leaveOpen: true);
            metadata = BsonDocument.Parse(text.ReadToEnd());
        }
        catch (Exception ex) when (ex is FormatException or DecoderFallbackException or BsonException)
        {
            findings.Problems.Add($"{name}: not valid Extended JSON ({ex.Message})");
            return null;
        }

        if (metadata.GetValue("collectionName", BsonNull.Value) is not BsonString collectionName)
        {
            findings.Problems.Add($"{name}: has no collectionName");
            return null;
        }

        if (metadata.GetValue("indexes", BsonNull.Value) is not BsonArray indexes || indexes.Any(index => index is not BsonDocument spec || !spec.Contains("key") || !spec.Contains("name")))
        {
            findings.Problems.Add($"{name}: indexes is not a list of index specifications with key and name");
        }

        return (collectionName.Value, metadata.GetValue("type", "collection").ToString()!, metadata);
    }

    /// <summary>The .bson and .metadata.json files by (database folder, file name without extension).</summary>
    private sealed class DumpLayout
    {
        public Dictionary<(string Database, string FileBase), (long Documents, long Bytes)> Data { get; } = [];

        public Dictionary<(string Database, string FileBase), (string Name, string Type, BsonDocument Document)> Metadata { get; } = [];

        /// <summary>
        /// Pairs every metadata file with its data file the way mongorestore does. When reading
        /// stopped early, files after that point were never seen, so their absence is no finding.
        /// </summary>
        public void Resolve(ArchiveFindings findings, bool complete)
        {
            var claimed = new HashSet<(string, string)>();
            foreach (var ((database, fileBase), (name, type, document)) in Metadata.OrderBy(m => m.Key.Database, StringComparer.Ordinal).ThenBy(m => m.Value.Name, StringComparer.Ordinal))
            {
                if (MongoDumpLayout.FileBaseFor(name) != fileBase)
                {
                    findings.Problems.Add($"{database}/{fileBase}{MongoDumpLayout.MetadataExtension} describes collection '{name}', whose file name would be {MongoDumpLayout.FileBaseFor(name)}");
                }

                if (type == "view")
                {
                    findings.Collections.Add(new FoundCollection(database, name, type, 0, 0, HasData: false, HasMetadata: true, document));
                    continue;
                }

                var dataBase = MongoDumpLayout.FileBaseFor(type == "timeseries" ? MongoDumpLayout.BucketsPrefix + name : name);
                if (Data.TryGetValue((database, dataBase), out var data))
                {
                    claimed.Add((database, dataBase));
                    findings.Collections.Add(new FoundCollection(database, name, type, data.Documents, data.Bytes, HasData: true, HasMetadata: true, document));
                }
                else
                {
                    if (complete)
                    {
                        findings.Problems.Add($"collection {name} has {fileBase}{MongoDumpLayout.MetadataExtension} but no {dataBase}{MongoDumpLayout.BsonExtension} in {database}/");
                    }

                    findings.Collections.Add(new FoundCollection(database, name, type, 0, 0, HasData: false, HasMetadata: true, document));
                }
            }

            foreach (var ((database, fileBase), data) in Data.Where(d => !claimed.Contains(d.Key)).OrderBy(d => d.Key.FileBase, StringComparer.Ordinal))
            {
                var name = MongoDumpLayout.TryQueryUnescape(fileBase, out var unescaped) ? unescaped : fileBase;
                if (complete)
                {
                    findings.Problems.Add($"{database}/{fileBase}{MongoDumpLayout.BsonExtension} has no {fileBase}{MongoDumpLayout.MetadataExtension}: mongorestore would restore it without its indexes and options");
                }

                findings.Collections.Add(new FoundCollection(database, name, "collection", data.Documents, data.Bytes, HasData: true, HasMetadata: false));
            }
        }
    }

    /// <summary>Counts the decompressed bytes the tar reader takes, to locate the end-of-archive marker.</summary>
    private sealed class CountingReadStream(Stream inner) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            _position += read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
