using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Engine.Secrets;

namespace ExcelMedical.DbRunbook.Steps.S3;

/// <summary>
/// Where a restore fetches a backup that is not on this machine (the <c>s3:</c> mapping of the
/// restore steps): the copy s3.upload made under the day's prefix, with the SHA-256 it recorded.
/// </summary>
public sealed class S3SourceOptions : IS3Endpoint
{
    [Description("The bucket, usually \"{{ env.S3_BACKUP_BUCKET }}\" (when unset, S3_BACKUP_BUCKET is read). Empty: no S3 source.")]
    public string? Bucket { get; set; }

    [Description("The key prefix of the backup day as s3.upload wrote it, e.g. \"2026-11-24/\": the newest object in it matching the step's pattern is fetched.")]
    public string Prefix { get; set; } = string.Empty;

    [Description("Fetch exactly this object key instead of the newest one under prefix.")]
    public string? Key { get; set; }

    [Description("The endpoint of an S3-compatible store (MinIO, Ceph, s3rver), e.g. http://minio:9000. Default: AWS S3 in region.")]
    public string? ServiceUrl { get; set; }

    [Description("The region (signing region for S3-compatible stores). Default: AWS_REGION or AWS_DEFAULT_REGION, else us-east-1.")]
    public string? Region { get; set; }

    [Secret]
    [Description("Access key id. Default: AWS_ACCESS_KEY_ID from the environment or .env, else the AWS SDK's default credential chain.")]
    public string? AccessKey { get; set; }

    [Secret]
    [Description("Secret access key. Default: AWS_SECRET_ACCESS_KEY from the environment or .env, else the AWS SDK's default credential chain.")]
    public string? SecretKey { get; set; }

    [Description("Address buckets as endpoint/bucket/key instead of bucket.endpoint/key; most S3-compatible stores need this.")]
    public bool ForcePathStyle { get; set; }

    /// <summary>Checked by the step's own validation (the binder validates the top-level options object).</summary>
    internal IEnumerable<ValidationResult> Validate()
    {
        if (ServiceUrl is { Length: > 0 } url && !Uri.TryCreate(url, UriKind.Absolute, out _))
        {
            yield return new ValidationResult($"s3.service_url must be an absolute URL such as http://minio:9000, not '{url}'");
        }
    }
}
