using System.Diagnostics;
using System.IO.Enumeration;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Files;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.S3;

/// <summary>A SHA-256 a file must have, and who says so (for messages).</summary>
internal sealed record ExpectedHash(string Sha256, string Source);

/// <summary>An object fetched from S3 and proven to be the backup's bytes.</summary>
internal sealed record DownloadedObject(string Key, string Path, long Bytes, string Sha256, IReadOnlyList<string> ProvenBy, double Seconds);

/// <summary>
/// Fetches a backup s3.upload stored: the object's SHA-256 is known before the download (its
/// <c>sha256</c> metadata, the day's SHA256SUMS uploaded next to it, and any hash the caller
/// knows, e.g. from the backup's run record; they must agree), the download is hashed as it is
/// written under a temporary name, and only a file with that hash and length gets its final name.
/// </summary>
internal static class S3Download
{
    /// <summary>The newest object under <paramref name="prefix"/> whose file name matches <paramref name="pattern"/> (names carry the time stamp).</summary>
    public static async Task<string> NewestKeyAsync(S3Target target, IAmazonS3 client, string prefix, string pattern, CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = target.Bucket, Prefix = prefix };
        var matches = new List<S3Object>();
        ListObjectsV2Response response;
        do
        {
            response = await target.CallAsync($"listing s3://{target.Bucket}/{prefix}", () => client.ListObjectsV2Async(request, cancellationToken), cancellationToken);
            matches.AddRange((response.S3Objects ?? []).Where(o => FileSystemName.MatchesSimpleExpression(pattern, FileName(o.Key), ignoreCase: false)));
            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);

        return matches
            .OrderByDescending(o => FileName(o.Key), StringComparer.Ordinal)
            .ThenByDescending(o => o.LastModified)
            .Select(o => o.Key)
            .FirstOrDefault()
            ?? throw new StepFailedException($"no object matching '{pattern}' under s3://{target.Bucket}/{prefix} at {target.Endpoint}: check the prefix (the backup day, e.g. 2026-11-24/) and the bucket");
    }

    public static async Task<DownloadedObject> DownloadAsync(StepContext context, S3Target target, IAmazonS3 client, string key, string destination, ExpectedHash? known, CancellationToken cancellationToken)
    {
        var where = $"s3://{target.Bucket}/{key}";
        var clock = Stopwatch.StartNew();
        var head = await target.CallAsync($"reading {where}", () => client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = target.Bucket, Key = key }, cancellationToken), cancellationToken);
        var expected = new List<ExpectedHash>();
        if (head.Metadata["sha256"] is { Length: > 0 } metadata)
        {
            expected.Add(new ExpectedHash(metadata.Trim().ToLowerInvariant(), "its sha256 metadata"));
        }

        if (await ManifestEntryAsync(target, client, key, cancellationToken) is { } manifest)
        {
            expected.Add(manifest);
        }

        if (known is not null)
        {
            expected.Add(known with { Sha256 = known.Sha256.ToLowerInvariant() });
        }

        if (expected.Count == 0)
        {
            throw new StepFailedException($"{where} has no sha256 metadata and no entry in a SHA256SUMS next to it: its integrity cannot be proven, so it is not restored (upload backups with s3.upload, or give the step's sha256 option)");
        }

        if (expected.Select(e => e.Sha256).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            throw new StepFailedException($"the SHA-256 of {where} is stated differently by {string.Join(" and ", expected.Select(e => $"{e.Source} ({e.Sha256})"))}: one of them is wrong, so nothing is restored");
        }

        var length = head.ContentLength;
        var free = DiskSpace.Available(destination);
        if (free < length)
        {
            throw new StepFailedException($"{where} is {ByteSize.Format(length)} but only {ByteSize.Format(free)} is free for {destination}: set download_folder to a larger disk");
        }

        using var atomic = context.Files.Create(destination);
        var (sha256, bytes) = await target.CallAsync(
            $"downloading {where}",
            async () =>
            {
                using var response = await client.GetObjectAsync(new GetObjectRequest { BucketName = target.Bucket, Key = key }, cancellationToken);
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                await using var file = atomic.OpenFile();
                var buffer = new byte[1 << 20];
                long total = 0;
                int read;
                while ((read = await response.ResponseStream.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    total += read;
                }

                file.Flush(flushToDisk: true);
                return (Convert.ToHexStringLower(hash.GetHashAndReset()), total);
            },
            cancellationToken);

        if (bytes != length || !string.Equals(sha256, expected[0].Sha256, StringComparison.Ordinal))
        {
            throw new StepFailedException($"the download of {where} is not the backup: {bytes} bytes with SHA-256 {sha256}, but {string.Join(" and ", expected.Select(e => e.Source))} say{(expected.Count == 1 ? "s" : string.Empty)} {length} bytes with SHA-256 {expected[0].Sha256}; the download was deleted and nothing is restored");
        }

        atomic.Commit();
        context.Log.Information("  downloaded {Where} to {File}: {Size} in {Seconds:0.0}s, SHA-256 matches {Sources}", where, destination, ByteSize.Format(bytes), clock.Elapsed.TotalSeconds, string.Join(" and ", expected.Select(e => e.Source)));
        return new DownloadedObject(key, destination, bytes, sha256, [.. expected.Select(e => e.Source)], clock.Elapsed.TotalSeconds);
    }

    /// <summary>The object's line in the SHA256SUMS stored under the same prefix, if there is one.</summary>
    private static async Task<ExpectedHash?> ManifestEntryAsync(S3Target target, IAmazonS3 client, string key, CancellationToken cancellationToken)
    {
        var slash = key.LastIndexOf('/');
        var folder = slash < 0 ? string.Empty : key[..(slash + 1)];
        var manifestKey = folder + Sha256Manifest.DefaultName;
        var text = await target.CallAsync(
            $"reading s3://{target.Bucket}/{manifestKey}",
            async () =>
            {
                try
                {
                    using var response = await client.GetObjectAsync(new GetObjectRequest { BucketName = target.Bucket, Key = manifestKey }, cancellationToken);
                    using var reader = new StreamReader(response.ResponseStream, Encoding.UTF8);
                    return await reader.ReadToEndAsync(cancellationToken);
                }
                catch (AmazonS3Exception ex) when (ex.ErrorCode is "NoSuchKey" or "NotFound" || ex.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    return null;
                }
            },
            cancellationToken);
        if (text is null)
        {
            return null;
        }

        return Sha256Manifest.Parse(text).TryGetValue(key[(slash + 1)..], out var hash)
            ? new ExpectedHash(hash, $"s3://{target.Bucket}/{manifestKey}")
            : null;
    }

    private static string FileName(string key) => key[(key.LastIndexOf('/') + 1)..];
}
