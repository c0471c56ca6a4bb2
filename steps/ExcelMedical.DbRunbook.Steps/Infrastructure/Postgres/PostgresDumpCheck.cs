using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using ExcelMedical.DbRunbook.Engine.Processes;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Compression;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Files;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;

/// <summary>
/// Reads a PostgreSQL dump completely without writing anywhere: the guide's <c>gunzip -c | pg_restore -l</c>
/// (the table of contents), then every byte (each gzip member's CRC and length, every data block
/// through <c>pg_restore -f -</c>), counting each table's rows in its COPY data. postgres.verify
/// reports it; postgres.restore and restore.drill run it before anything is written to a database.
/// </summary>
internal static class PostgresDumpCheck
{
    /// <summary>Checks a postgres_*.sql.gz file or a directory-format folder; the findings list every problem.</summary>
    public static async Task<PostgresDumpFindings> RunAsync(string pgRestore, string file, CancellationToken cancellationToken)
    {
        var isDirectory = Directory.Exists(file);
        var findings = new PostgresDumpFindings(file);
        if (!isDirectory && !File.Exists(file))
        {
            findings.Problems.Add("the file does not exist");
            return findings;
        }

        var listingText = await ListAsync(pgRestore, file, isDirectory, findings, cancellationToken);
        findings.Listing = ArchiveListing.Parse(listingText);
        if (findings.Problems.Count == 0)
        {
            await ReadEverythingAsync(pgRestore, file, isDirectory, findings, cancellationToken);
        }

        return findings;
    }

    /// <summary>The guide's check: <c>gunzip -c file | pg_restore -l</c>. It stops reading after the TOC.</summary>
    private static async Task<string> ListAsync(string pgRestore, string file, bool isDirectory, PostgresDumpFindings findings, CancellationToken cancellationToken)
    {
        if (isDirectory)
        {
            var result = await ChildProcess.RunAsync(new ProcessSpec(pgRestore, ["--list", file]), cancellationToken);
            if (result.ExitCode != 0)
            {
                findings.Problems.Add($"pg_restore -l failed: {result.Error.Trim()}");
            }

            return result.Output;
        }

        using var child = ChildProcess.Start(new ProcessSpec(pgRestore, ["--list"]), redirectInput: true);
        var output = ReadAllAsync(child.StandardOutput);
        try
        {
            await using var source = File.OpenRead(file);
            await using var gunzip = new GZipStream(source, CompressionMode.Decompress);
            await gunzip.CopyToAsync(child.StandardInput, cancellationToken);
        }
        catch (IOException)
        {
            // pg_restore -l closes its input once it has the table of contents: expected.
        }
        catch (InvalidDataException ex)
        {
            findings.Problems.Add($"not a valid gzip file: {ex.Message}");
        }
        finally
        {
            CloseQuietly(child.StandardInput);
        }

        var exitCode = await child.WaitForExitAsync(cancellationToken);
        var text = await output;
        if (exitCode != 0)
        {
            findings.Problems.Add($"pg_restore -l failed: {child.ErrorText}");
        }

        return text;
    }

    /// <summary>
    /// Decompresses every byte (checking each gzip member's CRC and length) into pg_restore, which
    /// reads every data block and prints the script; its COPY sections give each table's row count.
    /// </summary>
    private static async Task ReadEverythingAsync(string pgRestore, string file, bool isDirectory, PostgresDumpFindings findings, CancellationToken cancellationToken)
    {
        // --data-only: the rows are what is counted, and no function body in the schema can pass for a COPY statement.
        var arguments = isDirectory ? new[] { "--data-only", "--file=-", file } : ["--data-only", "--file=-"];
        using var child = ChildProcess.Start(new ProcessSpec(pgRestore, arguments), redirectInput: !isDirectory);
        var counter = new CopyRowCounter();
        var counting = counter.CountAsync(child.StandardOutput, cancellationToken);
        if (!isDirectory)
        {
            await FeedDecompressedAsync(file, child.StandardInput, findings, cancellationToken);
        }

        var exitCode = await child.WaitForExitAsync(cancellationToken);
        await counting;
        findings.TableRows = counter.Rows;
        if (exitCode != 0)
        {
            findings.Problems.Add($"pg_restore could not read the archive to the end: {child.ErrorText}");
        }
    }

    private static async Task FeedDecompressedAsync(string file, Stream pgRestoreInput, PostgresDumpFindings findings, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            await using var source = File.OpenRead(file);
            await using var hashing = new HashingReadStream(source, hash);
            // GZipStream accepts a file cut inside its last member; this reader checks every trailer.
            await using var gunzip = new VerifyingGzipStream(hashing);
            var buffer = new byte[1 << 20];
            int read;
            while ((read = await gunzip.ReadAsync(buffer, cancellationToken)) > 0)
            {
                findings.DecompressedBytes += read;
                await pgRestoreInput.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }

            if (hashing.Position != source.Length)
            {
                findings.Problems.Add("trailing bytes after the last gzip member");
            }

            findings.Sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        catch (InvalidDataException ex)
        {
            findings.Problems.Add($"gzip data is corrupt after {findings.DecompressedBytes} bytes: {ex.Message}");
        }
        catch (IOException ex)
        {
            findings.Problems.Add($"pg_restore stopped reading after {findings.DecompressedBytes} bytes ({ex.Message})");
        }
        finally
        {
            CloseQuietly(pgRestoreInput);
        }
    }

    private static async Task<string> ReadAllAsync(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
        return await reader.ReadToEndAsync();
    }

    private static void CloseQuietly(Stream stream)
    {
        try
        {
            stream.Close();
        }
        catch (IOException)
        {
            // The reader already exited.
        }
    }
}

/// <summary>What the checks found, rendered as verification/postgres_backup_verify.txt.</summary>
/// <summary>What the checks found, rendered as verification/postgres_backup_verify.txt.</summary>
internal sealed class PostgresDumpFindings(string file)
{
    public List<string> Problems { get; } = [];

    public ArchiveListing? Listing { get; set; }

    public long DecompressedBytes { get; set; }

    public string? Sha256 { get; set; }

    public int? ExpectedTables { get; set; }

    public IReadOnlyDictionary<string, long> TableRows { get; set; } = new Dictionary<string, long>();

    public string Render(DateTimeOffset now)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"PostgreSQL backup verification — {now:yyyy-MM-dd HH:mm:ss zzz}");
        text.AppendLine(inv, $"File:                {file}");
        if (File.Exists(file))
        {
            text.AppendLine(inv, $"Size:                {new FileInfo(file).Length} bytes");
        }

        if (Sha256 is not null)
        {
            text.AppendLine(inv, $"SHA-256:             {Sha256}");
            text.AppendLine(inv, $"Decompressed:        {DecompressedBytes} bytes (every gzip CRC checked, every data block read)");
        }

        if (Listing is not null)
        {
            text.AppendLine(inv, $"TOC entries:         {Listing.Entries}");
            text.AppendLine(inv, $"TABLE DATA entries:  {Listing.TableDataEntries}");
        }

        if (ExpectedTables is not null)
        {
            text.AppendLine(inv, $"Tables in database:  {ExpectedTables}");
        }

        text.AppendLine(inv, $"Result:              {(Problems.Count == 0 ? "OK" : "FAILED")}");
        foreach (var problem in Problems)
        {
            text.AppendLine(inv, $"  problem: {problem}");
        }

        if (Listing is not null)
        {
            text.AppendLine();
            text.AppendLine("Archive header (pg_restore -l):");
            foreach (var line in Listing.Header)
            {
                text.AppendLine(inv, $"  {line}");
            }

            text.AppendLine();
            text.AppendLine("Tables with data (rows counted in the dump):");
            foreach (var (table, rows) in TableRows.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                text.AppendLine(inv, $"  {NameText.Printable(table),-50} {rows,12}");
            }
        }

        return text.ToString();
    }
}
