using System.Net.Sockets;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using ExcelMedical.DbRunbook.Engine.Steps;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.S3;

/// <summary>
/// Where objects go (endpoint, region, bucket) and how to sign for it, resolved from the step's
/// options and the run's environment; and the translation of SDK errors into messages that name
/// the endpoint and bucket, never a credential.
/// </summary>
internal sealed class S3Target
{
    private readonly AWSCredentials? _credentials;

    private S3Target(string bucket, string region, string endpoint, string? serviceUrl, bool forcePathStyle, AWSCredentials? credentials, string credentialSource)
    {
        Bucket = bucket;
        Region = region;
        Endpoint = endpoint;
        ServiceUrl = serviceUrl;
        ForcePathStyle = forcePathStyle;
        _credentials = credentials;
        CredentialSource = credentialSource;
    }

    public string Bucket { get; }

    public string Region { get; }

    /// <summary>For people: the service URL without any user info, or "AWS S3 (region)".</summary>
    public string Endpoint { get; }

    public string? ServiceUrl { get; }

    public bool ForcePathStyle { get; }

    public string CredentialSource { get; }

    public static string ResolveBucket(StepContext context, IS3Endpoint options) =>
        (string.IsNullOrWhiteSpace(options.Bucket) ? context.Environment.GetValueOrDefault("S3_BACKUP_BUCKET") : options.Bucket)?.Trim() ?? string.Empty;

    public static S3Target From(StepContext context, IS3Endpoint options, string bucket)
    {
        var environment = context.Environment;
        var region = FirstNonBlank(options.Region, environment.GetValueOrDefault("AWS_REGION"), environment.GetValueOrDefault("AWS_DEFAULT_REGION")) ?? "us-east-1";
        var serviceUrl = string.IsNullOrWhiteSpace(options.ServiceUrl) ? null : options.ServiceUrl.Trim();
        var endpoint = serviceUrl is null ? $"AWS S3 ({region})" : WithoutUserInfo(serviceUrl);

        var accessKey = FirstNonBlank(options.AccessKey, environment.GetValueOrDefault("AWS_ACCESS_KEY_ID"));
        var secretKey = FirstNonBlank(options.SecretKey, environment.GetValueOrDefault("AWS_SECRET_ACCESS_KEY"));
        var sessionToken = FirstNonBlank(environment.GetValueOrDefault("AWS_SESSION_TOKEN"));
        context.Secrets.Add(secretKey);
        context.Secrets.Add(sessionToken);
        AWSCredentials? credentials = null;
        string source;
        if (accessKey is null && secretKey is null)
        {
            source = "the AWS SDK's default credential chain";
        }
        else if (accessKey is null || secretKey is null)
        {
            throw new StepFailedException(accessKey is null
                ? "a secret key is set but no access key: set access_key (or AWS_ACCESS_KEY_ID) too"
                : "an access key is set but no secret key: set secret_key (or AWS_SECRET_ACCESS_KEY) too");
        }
        else
        {
            var fromOptions = options.AccessKey is not null;
            credentials = sessionToken is null || fromOptions
                ? new BasicAWSCredentials(accessKey, secretKey)
                : new SessionAWSCredentials(accessKey, secretKey, sessionToken);
            source = fromOptions ? "the step's access_key and secret_key" : "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
        }

        return new S3Target(bucket, region, endpoint, serviceUrl, options.ForcePathStyle, credentials, source);
    }

    public AmazonS3Client CreateClient()
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = ForcePathStyle,
            // Checksums only when an operation requires them: S3-compatible stores (MinIO releases,
            // Ceph, s3rver) reject the SDK's default CRC trailers. Integrity is proven by SHA-256 instead.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (ServiceUrl is null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(Region);
        }
        else
        {
            config.ServiceURL = ServiceUrl;
            config.AuthenticationRegion = Region;
        }

        return _credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(_credentials, config);
    }

    /// <summary>Runs one S3 call, turning SDK and network errors into a message saying what to fix.</summary>
    public async Task<T> CallAsync<T>(string what, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && Explain(what, ex) is { } failure)
        {
            throw failure;
        }
    }

    public async Task CallAsync(string what, Func<Task> call, CancellationToken cancellationToken) =>
        await CallAsync(what, async () => { await call(); return true; }, cancellationToken);

    private StepFailedException? Explain(string what, Exception ex)
    {
        var where = $"{Endpoint}, bucket '{Bucket}'";
        if (ex is AmazonS3Exception s3)
        {
            return s3.ErrorCode switch
            {
                "NoSuchBucket" => new StepFailedException($"{what} failed: the bucket '{Bucket}' does not exist at {Endpoint}; create it or fix the bucket option (S3_BACKUP_BUCKET)", ex),
                "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "AccessDenied" or "InvalidToken" or "ExpiredToken" =>
                    new StepFailedException($"{what} was refused by {where} ({s3.ErrorCode}): check the access key and secret key ({CredentialSource}) and the bucket's policy", ex),
                _ => new StepFailedException($"{what} failed at {where}: {s3.ErrorCode ?? "error"} (HTTP {(int)s3.StatusCode}) {s3.Message}", ex),
            };
        }

        var network = Chain(ex).FirstOrDefault(e => e is HttpRequestException or SocketException or TimeoutException or TaskCanceledException);
        if (network is not null)
        {
            var reason = Chain(network).Last().Message;
            return new StepFailedException($"cannot reach the S3 endpoint {Endpoint} (bucket '{Bucket}') for {what}: {reason}. Check service_url, the network and that the store is running", ex);
        }

        if (ex is AmazonClientException or AmazonServiceException)
        {
            var hint = ex.Message.Contains("credential", StringComparison.OrdinalIgnoreCase)
                ? " Set access_key and secret_key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                : string.Empty;
            return new StepFailedException($"{what} at {where} failed: {ex.Message}.{hint}", ex);
        }

        return null;
    }

    private static IEnumerable<Exception> Chain(Exception ex)
    {
        for (Exception? current = ex; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }

    private static string? FirstNonBlank(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();

    private static string WithoutUserInfo(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty }.Uri.ToString()
            : url;
}
