using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using ExcelMedical.DbRunbook.Testing.S3;
using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Backup;

public sealed class S3UploadTests : IDisposable
{
    private const string Secret = "wrong-but-distinctive-s3-secret";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Day => _dir["backups/2026-11-25"];

    private RunbookCliHarness Cli(S3Server server, string bucket, Dictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["DAY"] = Day,
            ["S3_BACKUP_BUCKET"] = bucket,
            ["S3_URL"] = server.ServiceUrl.ToString(),
            ["AWS_ACCESS_KEY_ID"] = server.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = server.SecretKey,
        };
        foreach (var (key, value) in extra ?? [])
        {
            environment[key] = value;
        }

        return new RunbookCliHarness(_dir["state"], environment);
    }

    private string Playbook(string with) => _dir.Write("offsite.yaml", $$$"""
        name: offsite
        steps:
          - id: upload
            uses: s3.upload
            with:
              bucket: "{{ env.S3_BACKUP_BUCKET }}"
              service_url: "{{ env.S3_URL }}"
              force_path_style: true
              prefix: "2026-11-25"
        {{{with}}}
        """);

    private string RandomFile(string relative, int bytes)
    {
        var path = _dir[relative];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(bytes));
        return path;
    }

    private JsonElement Outputs() => RunRecords.Latest(_dir["state"], "offsite").Step("upload").GetProperty("outputs");

    private static async Task<List<string>> KeysAsync(AmazonS3Client client, string bucket)
    {
        var listing = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        return [.. (listing.S3Objects ?? []).Select(o => o.Key).Order(StringComparer.Ordinal)];
    }

    private static async Task<string> StoredSha256Async(AmazonS3Client client, string bucket, string key)
    {
        using var response = await client.GetObjectAsync(bucket, key);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(response.ResponseStream));
    }

    private static string LocalSha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public async Task A_day_folder_is_uploaded_under_the_prefix_and_every_object_has_the_files_sha256()
    {
        var server = await S3Server.Shared;
        var bucket = await server.CreateBucketAsync("offsite");
        var dump = RandomFile("backups/2026-11-25/postgres_20261125_020000.sql.gz", 700_000);
        var archive = RandomFile("backups/2026-11-25/mongo_20261125_020000.tar.gz", 300_000);
        var report = _dir.Write("backups/2026-11-25/verification/postgres_backup_verify.txt", "Result: OK\n");
        _dir.Write("backups/2026-11-25/mongo_20261125_030000.tar.gz.partial", "half written");

        var result = await Cli(server, bucket).RunAsync("run", Playbook("""      folder: "{{ env.DAY }}" """));

        Assert.True(result.ExitCode == 0, result.All);
        using var client = server.CreateClient();
        Assert.Equal(
            ["2026-11-25/mongo_20261125_020000.tar.gz", "2026-11-25/postgres_20261125_020000.sql.gz", "2026-11-25/verification/postgres_backup_verify.txt"],
            await KeysAsync(client, bucket));
        var outputs = Outputs();
        Assert.Equal(3, outputs.GetProperty("uploaded").GetInt32());
        Assert.Equal(700_000 + 300_000 + new FileInfo(report).Length, outputs.GetProperty("bytes").GetInt64());
        Assert.False(outputs.GetProperty("skipped").GetBoolean());
        foreach (var (key, file) in new[] { ("2026-11-25/postgres_20261125_020000.sql.gz", dump), ("2026-11-25/mongo_20261125_020000.tar.gz", archive), ("2026-11-25/verification/postgres_backup_verify.txt", report) })
        {
            var local = LocalSha256(file);
            Assert.Equal(local, await StoredSha256Async(client, bucket, key));
            Assert.Equal(local, outputs.GetProperty("objects").GetProperty(key).GetString());
            Assert.Equal(local, (await client.GetObjectMetadataAsync(bucket, key)).Metadata["sha256"]);
        }
    }

    [Fact]
    public async Task A_file_above_the_multipart_threshold_is_uploaded_in_parts_and_verified()
    {
        var server = await S3Server.Shared;
        var bucket = await server.CreateBucketAsync("multipart");
        var dump = RandomFile("backups/2026-11-25/postgres_20261125_020000.sql.gz", 20 * 1000 * 1000);
        var small = RandomFile("backups/2026-11-25/mongo_20261125_020000.tar.gz", 1000);

        var result = await Cli(server, bucket).RunAsync("run", Playbook($"""
                  files: ["{dump}", "{small}"]
                  multipart_threshold: 5 MiB
                  part_size: 5MiB
                  verify: true
            """));

        Assert.True(result.ExitCode == 0, result.All);
        using var client = server.CreateClient();
        var head = await client.GetObjectMetadataAsync(bucket, "2026-11-25/postgres_20261125_020000.sql.gz");
        Assert.Equal(20 * 1000 * 1000, head.ContentLength);
        Assert.Equal(LocalSha256(dump), await StoredSha256Async(client, bucket, "2026-11-25/postgres_20261125_020000.sql.gz"));
        Assert.Equal(LocalSha256(small), await StoredSha256Async(client, bucket, "2026-11-25/mongo_20261125_020000.tar.gz"));
        var outputs = Outputs();
        Assert.Equal(1, outputs.GetProperty("multipart").GetInt32());
        Assert.True(outputs.GetProperty("verified").GetBoolean());
        Assert.Equal(LocalSha256(dump), outputs.GetProperty("objects").GetProperty("2026-11-25/postgres_20261125_020000.sql.gz").GetString());
        Assert.Contains("postgres_20261125_020000.sql.gz: 19.1 MiB in 4 parts", result.Output);
        Assert.Contains("mongo_20261125_020000.tar.gz: 1000 B in one request", result.Output);
        Assert.Contains("verified by download", result.Output);
    }

    [Fact]
    public async Task An_unreachable_endpoint_fails_with_the_endpoint_and_bucket_named_and_no_secret()
    {
        var server = await S3Server.Shared;
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var file = RandomFile("backups/2026-11-25/postgres_20261125_020000.sql.gz", 1000);

        var result = await Cli(server, "nightly-backups", new() { ["S3_URL"] = $"http://127.0.0.1:{port}/", ["AWS_SECRET_ACCESS_KEY"] = Secret })
            .RunAsync("run", Playbook($"""      files: ["{file}"]"""));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"cannot reach the S3 endpoint http://127.0.0.1:{port}/ (bucket 'nightly-backups')", result.All);
        Assert.DoesNotContain(Secret, result.All);
        Assert.DoesNotContain(Secret, RunRecords.LatestText(_dir["state"], "offsite"));
    }

    [Fact]
    public async Task Wrong_credentials_are_refused_with_a_message_that_contains_neither_key()
    {
        var server = await S3Server.Shared;
        var bucket = await server.CreateBucketAsync("badkey");
        var file = RandomFile("backups/2026-11-25/postgres_20261125_020000.sql.gz", 1000);

        var result = await Cli(server, bucket).RunAsync("run", Playbook($"""
                  files: ["{file}"]
                  access_key: NOT-AN-ACCESS-KEY-ID
                  secret_key: {Secret}
            """));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"was refused by {server.ServiceUrl}, bucket '{bucket}'", result.All);
        Assert.Contains("check the access key and secret key (the step's access_key and secret_key)", result.All);
        Assert.DoesNotContain(Secret, result.All);
        Assert.DoesNotContain("NOT-AN-ACCESS-KEY-ID", result.All);
        using var client = server.CreateClient();
        Assert.Empty(await KeysAsync(client, bucket));
    }

    [Fact]
    public async Task A_bucket_that_does_not_exist_is_named_in_the_error()
    {
        var server = await S3Server.Shared;
        var file = RandomFile("backups/2026-11-25/postgres_20261125_020000.sql.gz", 1000);

        var result = await Cli(server, "no-such-bucket-for-runbook").RunAsync("run", Playbook($"""      files: ["{file}"]"""));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("the bucket 'no-such-bucket-for-runbook' does not exist at", result.All);
    }

    [Fact]
    public async Task Without_a_bucket_the_upload_is_skipped_with_a_clear_log_line()
    {
        var server = await S3Server.Shared;
        var file = RandomFile("backups/2026-11-25/postgres_20261125_020000.sql.gz", 1000);

        var result = await Cli(server, string.Empty).RunAsync("run", Playbook($"""      files: ["{file}"]"""));

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("no bucket configured", result.Output);
        var outputs = Outputs();
        Assert.True(outputs.GetProperty("skipped").GetBoolean());
        Assert.Equal(0, outputs.GetProperty("uploaded").GetInt32());
    }

    [Fact]
    public async Task A_dry_run_lists_each_object_with_its_size_and_uploads_nothing()
    {
        var server = await S3Server.Shared;
        var bucket = await server.CreateBucketAsync("dryrun");
        RandomFile("backups/2026-11-25/postgres_20261125_020000.sql.gz", 2048);
        RandomFile("backups/2026-11-25/big.tar.gz", 6 * 1024 * 1024);

        var result = await Cli(server, bucket).RunAsync("run", Playbook("""
                  folder: "{{ env.DAY }}"
                  multipart_threshold: 5MiB
                  part_size: 5MiB
            """), "--dry-run");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains($"would upload {Day}/postgres_20261125_020000.sql.gz (2.0 KiB) to s3://{bucket}/2026-11-25/postgres_20261125_020000.sql.gz", result.Output);
        Assert.Contains($"would upload {Day}/big.tar.gz (6.0 MiB) to s3://{bucket}/2026-11-25/big.tar.gz, multipart in 2 parts", result.Output);
        using var client = server.CreateClient();
        Assert.Empty(await KeysAsync(client, bucket));
    }
}
