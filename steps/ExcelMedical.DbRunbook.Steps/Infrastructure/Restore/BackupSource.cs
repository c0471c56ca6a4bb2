using System.IO.Enumeration;
using ExcelMedical.DbRunbook.Engine.IO;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Files;
using ExcelMedical.DbRunbook.Steps.Infrastructure.S3;
using ExcelMedical.DbRunbook.Steps.SharedOptions;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Restore;

/// <summary>What a restore asks for: a file, or the newest match in a day folder, or the S3 copy.</summary>
internal sealed record SourceRequest(
    string What,
    string? File,
    string? Folder,
    string Pattern,
    S3SourceOptions? S3,
    RestoreFrom From,
    string? DownloadFolder,
    ExpectedHash? Known);

/// <summary>
/// The backup file a restore reads, on this machine: the local one, or the S3 copy downloaded into
/// a private folder and proven by its SHA-256 (removed again on dispose). <see cref="Expected"/>
/// holds every hash the file must have; the restore's full read computes the actual one.
/// </summary>
internal sealed class FetchedBackup : IDisposable
{
    private readonly string? _temporaryFolder;

    public FetchedBackup(string path, string origin, IReadOnlyList<ExpectedHash> expected, DownloadedObject? download = null, string? temporaryFolder = null)
    {
        Path = path;
        Origin = origin;
        Expected = expected;
        Download = download;
        _temporaryFolder = temporaryFolder;
    }

    public string Path { get; }

    /// <summary>"local" or the s3:// address it was downloaded from.</summary>
    public string Origin { get; }

    public IReadOnlyList<ExpectedHash> Expected { get; }

    public DownloadedObject? Download { get; }

    public bool IsDirectory => Directory.Exists(Path);

    /// <summary>Refuses a file whose SHA-256 (computed by the full read) differs from what is recorded for it.</summary>
    public void CheckHash(string? actual)
    {
        if (actual is null)
        {
            return;
        }

        foreach (var expected in Expected.Where(e => !string.Equals(e.Sha256, actual, StringComparison.OrdinalIgnoreCase)))
        {
            throw new StepFailedException($"{Path} has SHA-256 {actual}, but {expected.Source} records {expected.Sha256}: the file changed after the backup was made, so it is not restored");
        }
    }

    public void Dispose()
    {
        try
        {
            if (_temporaryFolder is not null && Directory.Exists(_temporaryFolder))
            {
                Directory.Delete(_temporaryFolder, recursive: true);
            }
            else if (Download is not null && File.Exists(Path))
            {
                File.Delete(Path);
            }
        }
        catch (IOException)
        {
            // A download left behind is removed by the next run's temp cleanup; never fail a restore for it.
        }
    }
}

/// <summary>Resolves a <see cref="SourceRequest"/> to a file on this machine.</summary>
internal static class BackupSource
{
    /// <summary>The local file the request names now (an explicit file, else the newest match in the folder), if any.</summary>
    public static string? FindLocal(StepContext context, SourceRequest request)
    {
        if (request.File is { Length: > 0 } file)
        {
            var path = context.ResolvePath(file);
            return File.Exists(path) || Directory.Exists(path) ? path : null;
        }

        if (request.Folder is { Length: > 0 } folder && Directory.Exists(context.ResolvePath(folder)))
        {
            return new DirectoryInfo(context.ResolvePath(folder))
                .EnumerateFileSystemInfos()
                .Where(entry => FileSystemName.MatchesSimpleExpression(request.Pattern, entry.Name, ignoreCase: false)
                    && !entry.Name.EndsWith(".partial", StringComparison.Ordinal)
                    && entry.LinkTarget is null)
                .OrderByDescending(entry => entry.Name, StringComparer.Ordinal)
                .Select(entry => entry.FullName)
                .FirstOrDefault();
        }

        return null;
    }

    /// <summary>What fetching would do, for the dry-run plan: nothing is read or downloaded.</summary>
    public static string Describe(StepContext context, SourceRequest request)
    {
        var local = request.From == RestoreFrom.S3 ? null : FindLocal(context, request);
        if (local is not null)
        {
            return $"restore {local} (local){ManifestNote(local)}";
        }

        var bucket = request.S3 is null ? string.Empty : S3Target.ResolveBucket(context, request.S3);
        var where = request.File is { Length: > 0 } ? context.ResolvePath(request.File) : request.Folder is { Length: > 0 } ? $"{context.ResolvePath(request.Folder)}/{request.Pattern}" : "(no local file given)";
        if (request.From == RestoreFrom.Local || bucket.Length == 0)
        {
            return $"restore {where}: not there now (the run fails unless it appears{(request.From == RestoreFrom.Local ? string.Empty : "; no S3 bucket is configured to fetch it from")})";
        }

        return $"download {ObjectDescription(context, request, bucket)} into {DownloadFolder(context, request)} ({where} is not on this machine), check its SHA-256 against its metadata and the day's SHA256SUMS, then restore it";
    }

    public static async Task<FetchedBackup> FetchAsync(StepContext context, SourceRequest request, CancellationToken cancellationToken)
    {
        var local = request.From == RestoreFrom.S3 ? null : FindLocal(context, request);
        if (local is not null)
        {
            var expected = new List<ExpectedHash>();
            if (request.Known is not null)
            {
                expected.Add(request.Known);
            }

            if (ManifestEntry(local) is { } manifest)
            {
                expected.Add(manifest);
            }

            context.Log.Information("  {What}: {File} (local){Checks}", request.What, local, expected.Count == 0 ? string.Empty : $", must match the SHA-256 in {string.Join(" and ", expected.Select(e => e.Source))}");
            return new FetchedBackup(local, "local", expected);
        }

        var wanted = request.File is { Length: > 0 } ? context.ResolvePath(request.File) : request.Folder is { Length: > 0 } ? $"{request.Pattern} in {context.ResolvePath(request.Folder)}" : null;
        var bucket = request.S3 is null ? string.Empty : S3Target.ResolveBucket(context, request.S3);
        if (request.From == RestoreFrom.Local || bucket.Length == 0)
        {
            throw new StepFailedException(wanted is null
                ? $"no {request.What} to restore: give file, folder or s3"
                : $"there is no {wanted}{(request.From == RestoreFrom.Local ? string.Empty : " and no S3 bucket is configured to fetch it from (s3.bucket or S3_BACKUP_BUCKET)")}: check the day and the backup root");
        }

        var target = S3Target.From(context, request.S3!, bucket);
        using var client = target.CreateClient();
        var key = request.S3!.Key is { Length: > 0 } explicitKey ? explicitKey
            : request.File is { Length: > 0 } file ? S3Keys.NormalizePrefix(request.S3.Prefix) + Path.GetFileName(context.ResolvePath(file))
            : await S3Download.NewestKeyAsync(target, client, S3Keys.NormalizePrefix(request.S3.Prefix), request.Pattern, cancellationToken);
        if (wanted is not null)
        {
            context.Log.Information("  {What}: {Wanted} is not on this machine; fetching s3://{Bucket}/{Key}", request.What, wanted, bucket, key);
        }

        var folder = DownloadFolder(context, request);
        var temporary = request.DownloadFolder is { Length: > 0 } ? null : folder;
        context.Files.Folder(folder);
        try
        {
            var download = await S3Download.DownloadAsync(context, target, client, key, Path.Combine(folder, Path.GetFileName(key)), request.Known, cancellationToken);
            var expected = download.ProvenBy.Select(source => new ExpectedHash(download.Sha256, source)).ToList();
            return new FetchedBackup(download.Path, $"s3://{bucket}/{key}", expected, download, temporary);
        }
        catch
        {
            if (temporary is not null && Directory.Exists(temporary))
            {
                Directory.Delete(temporary, recursive: true);
            }

            throw;
        }
    }

    /// <summary>The file's line in SHA256SUMS next to it (the checksum step's manifest), if there is one.</summary>
    private static ExpectedHash? ManifestEntry(string file)
    {
        var manifest = Path.Combine(Path.GetDirectoryName(file)!, Sha256Manifest.DefaultName);
        return File.Exists(manifest) && Sha256Manifest.Parse(File.ReadAllText(manifest)).TryGetValue(Path.GetFileName(file), out var hash)
            ? new ExpectedHash(hash, manifest)
            : null;
    }

    private static string ManifestNote(string file) =>
        ManifestEntry(file) is { } manifest ? $"; its SHA-256 must match {manifest.Source}" : string.Empty;

    private static string ObjectDescription(StepContext context, SourceRequest request, string bucket)
    {
        var prefix = S3Keys.NormalizePrefix(request.S3!.Prefix);
        return request.S3.Key is { Length: > 0 } key ? $"s3://{bucket}/{key}"
            : request.File is { Length: > 0 } file ? $"s3://{bucket}/{prefix}{Path.GetFileName(context.ResolvePath(file))}"
            : $"the newest {request.Pattern} under s3://{bucket}/{prefix}";
    }

    private static string DownloadFolder(StepContext context, SourceRequest request) =>
        request.DownloadFolder is { Length: > 0 } folder
            ? context.ResolvePath(folder)
            : Path.Combine(Path.GetTempPath(), $"runbook-restore-{context.Run.Id}-{context.StepId}");
}
