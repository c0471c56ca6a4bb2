using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Engine.Secrets;
using ExcelMedical.DbRunbook.Steps.Infrastructure.S3;

namespace ExcelMedical.DbRunbook.Steps.SharedOptions;

/// <summary>
/// The endpoint and credential options of s3.upload and of the restore steps' <c>s3:</c> mapping.
/// Each declares bucket and access_key itself, with wording for its own use.
/// </summary>
public abstract class S3EndpointOptions : IS3Endpoint
{
    public abstract string? Bucket { get; set; }

    public abstract string? AccessKey { get; set; }

    [Secret]
    [Description("Secret access key. Default: AWS_SECRET_ACCESS_KEY from the environment or .env, else the AWS SDK's default credential chain.")]
    public string? SecretKey { get; set; }

    [Description("The endpoint of an S3-compatible store (MinIO, Ceph, s3rver), e.g. http://minio:9000. Default: AWS S3 in region.")]
    public string? ServiceUrl { get; set; }

    [Description("The region (signing region for S3-compatible stores). Default: AWS_REGION or AWS_DEFAULT_REGION, else us-east-1.")]
    public string? Region { get; set; }

    [Description("Address buckets as endpoint/bucket/key instead of bucket.endpoint/key; most S3-compatible stores need this.")]
    public bool ForcePathStyle { get; set; }

    /// <param name="optionName">How the playbook spells service_url at this place, e.g. s3.service_url.</param>
    private protected IEnumerable<ValidationResult> ValidateServiceUrl(string optionName)
    {
        if (ServiceUrl is { Length: > 0 } url && !Uri.TryCreate(url, UriKind.Absolute, out _))
        {
            yield return new ValidationResult($"{optionName} must be an absolute URL such as http://minio:9000, not '{url}'");
        }
    }
}
