using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Engine.Secrets;

namespace ExcelMedical.DbRunbook.Steps.SharedOptions;

/// <summary>
/// Where a restore fetches a backup that is not on this machine (the <c>s3:</c> mapping of the
/// restore steps): the copy s3.upload made under the day's prefix, with the SHA-256 it recorded.
/// </summary>
public sealed class S3SourceOptions : S3EndpointOptions
{
    [Description("The bucket, usually \"{{ env.S3_BACKUP_BUCKET }}\" (when unset, S3_BACKUP_BUCKET is read). Empty: no S3 source.")]
    public override string? Bucket { get; set; }

    [Description("The key prefix of the backup day as s3.upload wrote it, e.g. \"2026-11-24/\": the newest object in it matching the step's pattern is fetched.")]
    public string Prefix { get; set; } = string.Empty;

    [Description("Fetch exactly this object key instead of the newest one under prefix.")]
    public string? Key { get; set; }

    [Secret]
    [Description("Access key id. Default: AWS_ACCESS_KEY_ID from the environment or .env, else the AWS SDK's default credential chain.")]
    public override string? AccessKey { get; set; }

    /// <summary>Checked by the step's own validation (the binder validates the top-level options object).</summary>
    internal IEnumerable<ValidationResult> Validate() => ValidateServiceUrl("s3.service_url");
}
