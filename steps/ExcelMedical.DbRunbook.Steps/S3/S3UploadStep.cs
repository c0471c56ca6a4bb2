using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Files;
using ExcelMedical.DbRunbook.Steps.Infrastructure.S3;

namespace ExcelMedical.DbRunbook.Steps.S3;

/// <summary>
/// Copies backups off the machine, as the guide's script does when S3 is configured. Each object
/// carries its SHA-256 as metadata (x-amz-meta-sha256) and, with verify, is downloaded again and
/// hashed: the run record then proves the bytes in the bucket are the backup's bytes.
/// </summary>
[Step("s3.upload", "Upload backup files to S3 or an S3-compatible store (multipart for large files), verifying each object's SHA-256")]
public sealed class S3UploadStep : Step<S3UploadOptions>
{
    private const int MaxParts = 10_000;

    public override Task<StepPlan> PlanAsync(StepContext context, S3UploadOptions options, CancellationToken cancellationToken)
    {
        var bucket = S3Target.ResolveBucket(context, options);
        if (bucket.Length == 0)
        {
            return Task.FromResult(StepPlan.Of(Skipped(), "no bucket configured (the bucket option and S3_BACKUP_BUCKET are empty): nothing would be uploaded"));
        }

        var target = S3Target.From(context, options, bucket);
        var prefix = S3Keys.NormalizePrefix(options.Prefix);
        var threshold = ByteSizeText.Parse(options.MultipartThreshold);
        var partSize = ByteSizeText.Parse(options.PartSize);
        var actions = new List<string> { $"upload to s3://{bucket}/{prefix} at {target.Endpoint}: {Settings(options, target, threshold, partSize)}" };
        var selection = Select(context, options);
        if (options.Folder is { Length: > 0 } folder)
        {
            actions.Add($"upload the files of {context.ResolvePath(folder)} matching '{options.Pattern}': {selection.Files.Count} there now; files earlier steps write are included at run time");
        }

        foreach (var (file, key) in Keys(selection, prefix))
        {
            var parts = file.Length >= threshold ? $", multipart in {PartCount(file.Length, PartSizeFor(file.Length, partSize))} parts" : string.Empty;
            actions.Add($"upload {file.Path} ({ByteSize.Format(file.Length)}) to s3://{bucket}/{key}{parts}");
        }

        foreach (var missing in selection.Missing)
        {
            actions.Add($"upload {missing} to s3://{bucket}/{prefix}{Path.GetFileName(missing)} (not there yet: the run fails unless an earlier step writes it)");
        }

        foreach (var (name, reason) in selection.Skipped)
        {
            actions.Add($"leave out {name} ({reason})");
        }

        if (options.Verify)
        {
            actions.Add("verify each object: download it and compare its SHA-256 with the local file's");
        }

        var outputs = new StepOutputs()
            .Add("bucket", bucket)
            .Add("prefix", prefix)
            .Add("skipped", false)
            .Add("uploaded", selection.Files.Count + selection.Missing.Count);
        return Task.FromResult(StepPlan.Of(outputs, [.. actions]));
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, S3UploadOptions options, CancellationToken cancellationToken)
    {
        var bucket = S3Target.ResolveBucket(context, options);
        if (bucket.Length == 0)
        {
            context.Log.Information("  no bucket configured (the bucket option and S3_BACKUP_BUCKET are empty): skipping the upload");
            return Skipped();
        }

        var target = S3Target.From(context, options, bucket);
        var prefix = S3Keys.NormalizePrefix(options.Prefix);
        var threshold = ByteSizeText.Parse(options.MultipartThreshold);
        var partSize = ByteSizeText.Parse(options.PartSize);
        if (options.Folder is { Length: > 0 } folder && !Directory.Exists(context.ResolvePath(folder)))
        {
            throw new StepFailedException($"the folder {context.ResolvePath(folder)} does not exist; check the folder option");
        }

        var selection = Select(context, options);
        if (selection.Missing.Count > 0)
        {
            throw new StepFailedException($"cannot upload files that do not exist: {string.Join(", ", selection.Missing)}");
        }

        var uploads = Keys(selection, prefix);
        if (uploads.Count == 0)
        {
            throw new StepFailedException($"no files to upload in {context.ResolvePath(options.Folder!)} matching '{options.Pattern}'");
        }

        context.Log.Information("  uploading {Count} file(s) to s3://{Bucket}/{Prefix} at {Endpoint} ({Settings})", uploads.Count, bucket, prefix, target.Endpoint, Settings(options, target, threshold, partSize));
        using var client = target.CreateClient();
        var objects = new Dictionary<string, object?>(StringComparer.Ordinal);
        long bytes = 0;
        var multipart = 0;
        foreach (var (file, key) in uploads)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var upload = new ObjectUpload(context, options, target, client, file, key, threshold, PartSizeFor(file.Length, partSize));
            var result = await upload.RunAsync(cancellationToken);
            objects[key] = result.Sha256;
            bytes += file.Length;
            multipart += result.Parts > 1 ? 1 : 0;
        }

        context.Log.Information("  uploaded {Count} object(s), {Bytes}, to s3://{Bucket}/{Prefix}{Verified}", objects.Count, ByteSize.Format(bytes), bucket, prefix, options.Verify ? "; every object downloaded again and its SHA-256 matched" : string.Empty);
        return new StepOutputs()
            .Add("bucket", bucket)
            .Add("prefix", prefix)
            .Add("skipped", false)
            .Add("uploaded", objects.Count)
            .Add("bytes", bytes)
            .Add("multipart", multipart)
            .Add("verified", options.Verify)
            .Add("objects", objects);
    }

    private static StepOutputs Skipped() => new StepOutputs()
        .Add("skipped", true)
        .Add("uploaded", 0)
        .Add("bytes", 0L)
        .Add("objects", new Dictionary<string, object?>(StringComparer.Ordinal));

    private static FileSelection Select(StepContext context, S3UploadOptions options) =>
        FileSelection.Collect(context, options.Files, options.Folder, options.Pattern, options.Recursive, options.Exclude);

    private static List<(SelectedFile File, string Key)> Keys(FileSelection selection, string prefix)
    {
        var keys = new List<(SelectedFile, string)>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in selection.Files.DistinctBy(f => f.Path, StringComparer.Ordinal))
        {
            var key = prefix + file.Name;
            if (seen.TryGetValue(key, out var other))
            {
                throw new StepFailedException($"{other} and {file.Path} would both be uploaded as {key}; upload one of them with another step or prefix");
            }

            seen[key] = file.Path;
            keys.Add((file, key));
        }

        return keys;
    }

    /// <summary>The part size, raised to whole MiB when the file would otherwise need more than S3's 10,000 parts.</summary>
    private static long PartSizeFor(long length, long partSize)
    {
        if (PartCount(length, partSize) <= MaxParts)
        {
            return partSize;
        }

        const long MiB = 1024 * 1024;
        var needed = (length + MaxParts - 1) / MaxParts;
        return (needed + MiB - 1) / MiB * MiB;
    }

    private static long PartCount(long length, long partSize) => Math.Max(1, (length + partSize - 1) / partSize);

    private static string Settings(S3UploadOptions options, S3Target target, long threshold, long partSize)
    {
        var parts = new List<string>
        {
            $"region {target.Region}",
            target.ForcePathStyle ? "path-style" : "virtual-hosted-style",
            $"credentials from {target.CredentialSource}",
            $"storage class {options.StorageClass ?? "the bucket's default"}",
            options.ServerSideEncryption switch
            {
                ServerSideEncryption.Aes256 => "SSE-S3 (AES256)",
                ServerSideEncryption.AwsKms => $"SSE-KMS ({options.KmsKeyId ?? "default key"})",
                _ => "no server-side encryption header",
            },
            $"multipart from {ByteSize.Format(threshold)} in parts of {ByteSize.Format(partSize)}, {options.Concurrency} at a time",
        };
        return string.Join(", ", parts);
    }

    /// <summary>One file: hash, upload (multipart when large), check the stored size and metadata, download and hash.</summary>
    private sealed class ObjectUpload(
        StepContext context,
        S3UploadOptions options,
        S3Target target,
        AmazonS3Client client,
        SelectedFile file,
        string key,
        long threshold,
        long partSize)
    {
        private string Where => $"s3://{target.Bucket}/{key}";

        public async Task<(string Sha256, int Parts)> RunAsync(CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            var sha256 = await Sha256Manifest.HashFileAsync(file.Path, cancellationToken);
            var length = new FileInfo(file.Path).Length;
            var parts = await target.CallAsync($"uploading {file.Path} to {Where}", () => UploadAsync(sha256, cancellationToken), cancellationToken);

            var head = await target.CallAsync(
                $"reading back {Where}",
                () => client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = target.Bucket, Key = key }, cancellationToken),
                cancellationToken);
            if (head.ContentLength != length || !string.Equals(head.Metadata["sha256"], sha256, StringComparison.Ordinal))
            {
                await RemoveAsync(cancellationToken);
                throw new StepFailedException($"{Where} is not the file just uploaded: it holds {head.ContentLength} bytes with sha256 '{head.Metadata["sha256"]}', the file {length} bytes with sha256 {sha256}; the object was removed");
            }

            if (options.Verify)
            {
                await VerifyAsync(sha256, length, cancellationToken);
            }

            context.Log.Information(
                "  {Key}: {Size} in {Parts} in {Seconds:0.0}s, sha256 {Sha256}{Verified}",
                key,
                ByteSize.Format(length),
                parts == 1 ? "one request" : $"{parts} parts",
                clock.Elapsed.TotalSeconds,
                sha256,
                options.Verify ? " (verified by download)" : string.Empty);
            return (sha256, parts);
        }

        /// <summary>Uploads the file and returns the number of parts it went in (1: a single PUT).</summary>
        private async Task<int> UploadAsync(string sha256, CancellationToken cancellationToken)
        {
            using var transfer = new TransferUtility(client, new TransferUtilityConfig
            {
                ConcurrentServiceRequests = options.Concurrency,
                MinSizeBeforePartUpload = threshold,
            });
            var request = new TransferUtilityUploadRequest
            {
                BucketName = target.Bucket,
                Key = key,
                FilePath = file.Path,
                PartSize = partSize,
                ContentType = "application/octet-stream",
            };
            request.Metadata.Add("sha256", sha256);
            if (options.StorageClass is { Length: > 0 } storageClass)
            {
                request.StorageClass = S3StorageClass.FindValue(storageClass);
            }

            if (options.ServerSideEncryption != ServerSideEncryption.None)
            {
                request.ServerSideEncryptionMethod = options.ServerSideEncryption == ServerSideEncryption.Aes256
                    ? ServerSideEncryptionMethod.AES256
                    : ServerSideEncryptionMethod.AWSKMS;
                if (options.KmsKeyId is { Length: > 0 } kmsKey)
                {
                    request.ServerSideEncryptionKeyManagementServiceKeyId = kmsKey;
                }
            }

            var reported = 0;
            request.UploadProgressEvent += (_, progress) =>
            {
                var quarter = progress.PercentDone / 25;
                if (quarter > reported && quarter < 4)
                {
                    reported = quarter;
                    context.Log.Debug("  {Key}: {Percent}% of {Size}", key, quarter * 25, ByteSize.Format(progress.TotalBytes));
                }
            };
            var partNumbers = new ConcurrentDictionary<int, bool>();
            void CountPart(object? sender, RequestEventArgs args)
            {
                if (args is WebServiceRequestEventArgs { Request: UploadPartRequest part } && part.BucketName == target.Bucket && part.Key == key)
                {
                    partNumbers[part.PartNumber ?? 0] = true;
                }
            }

            client.BeforeRequestEvent += CountPart;
            try
            {
                await transfer.UploadAsync(request, cancellationToken);
            }
            finally
            {
                client.BeforeRequestEvent -= CountPart;
            }

            return Math.Max(1, partNumbers.Count);
        }

        /// <summary>Downloads the whole object and hashes it: only the stored bytes themselves prove the copy is good.</summary>
        private async Task VerifyAsync(string expected, long length, CancellationToken cancellationToken)
        {
            var (actual, read) = await target.CallAsync(
                $"downloading {Where} to verify it",
                async () =>
                {
                    using var response = await client.GetObjectAsync(new GetObjectRequest { BucketName = target.Bucket, Key = key }, cancellationToken);
                    using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                    await using var hashing = new HashingReadStream(response.ResponseStream, hash);
                    await hashing.CopyToAsync(Stream.Null, cancellationToken);
                    return (Convert.ToHexStringLower(hash.GetHashAndReset()), hashing.Position);
                },
                cancellationToken);
            if (!string.Equals(actual, expected, StringComparison.Ordinal) || read != length)
            {
                await RemoveAsync(cancellationToken);
                throw new StepFailedException($"{Where} does not match {file.Path}: the stored object has {read} bytes with sha256 {actual}, the file {length} bytes with sha256 {expected}; the object was removed so it cannot pass for a good backup");
            }
        }

        private async Task RemoveAsync(CancellationToken cancellationToken)
        {
            try
            {
                await client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = target.Bucket, Key = key }, cancellationToken);
            }
            catch (AmazonS3Exception ex)
            {
                context.Log.Warning("  could not remove the bad object {Where}: {Error}; remove it by hand", Where, ex.Message);
            }
        }
    }
}
