using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using ExcelMedical.DbRunbook.Testing.S3;
using ExcelMedical.DbRunbook.Testing.Support;
using Xunit;

namespace ExcelMedical.DbRunbook.Testing.Tests.S3;

public sealed class S3ServerTests
{
    [Fact]
    public async Task Objects_put_through_the_sdk_client_come_back_unchanged()
    {
        var server = await S3Server.Shared;
        var bucket = await server.CreateBucketAsync("roundtrip");
        using var client = server.CreateClient();
        const string Csv = "id,name\n1,Zoë\n.2,line starting with a dot\n";
        // Large enough that the SDK would stream it in chunks if it were allowed to.
        var dump = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);

        await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "reports/users.csv", ContentBody = Csv, ContentType = "text/csv" });
        await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "dumps/app.dump", InputStream = new MemoryStream(dump) });

        Assert.Equal(Encoding.UTF8.GetBytes(Csv), await ReadAsync(client, bucket, "reports/users.csv"));
        Assert.Equal(dump, await ReadAsync(client, bucket, "dumps/app.dump"));
        var metadata = await client.GetObjectMetadataAsync(bucket, "reports/users.csv");
        Assert.Equal("text/csv", metadata.Headers.ContentType);
        Assert.Equal(Encoding.UTF8.GetByteCount(Csv), metadata.ContentLength);
        // The upload's aws-chunked transfer encoding must not stick to the stored object.
        Assert.True(string.IsNullOrEmpty(metadata.Headers.ContentEncoding), metadata.Headers.ContentEncoding);
    }

    [Fact]
    public async Task Multipart_uploads_through_the_transfer_utility_are_reassembled()
    {
        var server = await S3Server.Shared;
        var bucket = await server.CreateBucketAsync("multipart");
        using var client = server.CreateClient();
        const int PartSize = 5 * 1024 * 1024; // S3's (and s3rver's) minimum for all parts but the last
        var dump = RandomNumberGenerator.GetBytes((2 * PartSize) + 12345);
        var uploadedParts = 0;
        client.BeforeRequestEvent += (_, request) =>
        {
            if (request is WebServiceRequestEventArgs { Request: UploadPartRequest })
            {
                Interlocked.Increment(ref uploadedParts);
            }
        };
        using var transfer = new TransferUtility(client, new TransferUtilityConfig { MinSizeBeforePartUpload = PartSize });

        await transfer.UploadAsync(new TransferUtilityUploadRequest
        {
            BucketName = bucket,
            Key = "dumps/big.dump",
            InputStream = new MemoryStream(dump),
            PartSize = PartSize,
        });

        Assert.Equal(3, uploadedParts);
        Assert.Equal(dump, await ReadAsync(client, bucket, "dumps/big.dump"));
    }

    [Fact]
    public async Task Listing_by_prefix_returns_only_the_keys_under_it()
    {
        var server = await S3Server.Shared;
        var bucket = await server.CreateBucketAsync("listing");
        using var client = server.CreateClient();
        foreach (var key in new[] { "backups/2026-01-01.dump", "backups/2026-01-02.dump", "logs/run.log" })
        {
            await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = key });
        }

        var listed = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "backups/" });

        Assert.Equal(["backups/2026-01-01.dump", "backups/2026-01-02.dump"], listed.S3Objects.Select(item => item.Key).Order());
        Assert.All(listed.S3Objects, item => Assert.Equal(item.Key.Length, item.Size));
    }

    [Fact]
    public async Task Deleted_objects_are_gone_and_the_others_stay()
    {
        var server = await S3Server.Shared;
        var bucket = await server.CreateBucketAsync("delete");
        using var client = server.CreateClient();
        foreach (var key in new[] { "2026-11-17/postgres.sql.gz", "2026-11-24/postgres.sql.gz" })
        {
            await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = key });
        }

        await client.DeleteObjectAsync(bucket, "2026-11-17/postgres.sql.gz");

        var listed = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        Assert.Equal(["2026-11-24/postgres.sql.gz"], listed.S3Objects.Select(item => item.Key));
        var missing = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => client.GetObjectAsync(bucket, "2026-11-17/postgres.sql.gz"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Created_buckets_get_unique_valid_names_and_exist()
    {
        var server = await S3Server.Shared;

        var first = await server.CreateBucketAsync("Nightly Backups!");
        var second = await server.CreateBucketAsync("Nightly Backups!");

        Assert.NotEqual(first, second);
        Assert.Matches("^nightly-backups-[0-9a-f]{12}$", first);
        using var client = server.CreateClient();
        var buckets = (await client.ListBucketsAsync()).Buckets.Select(bucket => bucket.BucketName).ToList();
        Assert.Contains(first, buckets);
        Assert.Contains(second, buckets);
    }

    [Fact]
    public async Task Server_listens_on_loopback_and_rejects_an_unknown_access_key()
    {
        var server = await S3Server.Shared;
        var bucket = await server.CreateBucketAsync("auth");
        using var stranger = new AmazonS3Client(
            new BasicAWSCredentials("NOT-S3RVER", server.SecretKey),
            new AmazonS3Config
            {
                ServiceURL = server.ServiceUrl.ToString(),
                ForcePathStyle = true,
                AuthenticationRegion = server.Region,
                MaxErrorRetry = 0,
            });

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => stranger.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }));

        Assert.Equal("127.0.0.1", server.ServiceUrl.Host);
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal("InvalidAccessKeyId", error.ErrorCode);
    }

    [Fact]
    public async Task Private_server_stops_on_dispose_leaving_no_process_and_no_folder()
    {
        var server = await S3Server.StartAsync();
        var pid = server.ProcessId;
        var dataDirectory = server.DataDirectory;
        var bucket = await server.CreateBucketAsync("private");
        Assert.True(Directory.Exists(Path.Combine(dataDirectory, bucket)), $"s3rver does not keep {bucket} in {dataDirectory}");

        await server.DisposeAsync();

        Assert.False(ProcessLiveness.IsRunning(pid), $"s3rver {pid} still runs");
        Assert.False(Directory.Exists(Path.GetDirectoryName(dataDirectory)), $"{dataDirectory} was left behind");
        using var http = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(server.ServiceUrl));
    }

    private static async Task<byte[]> ReadAsync(AmazonS3Client client, string bucket, string key)
    {
        using var response = await client.GetObjectAsync(bucket, key);
        using var content = new MemoryStream();
        await response.ResponseStream.CopyToAsync(content);
        return content.ToArray();
    }
}
