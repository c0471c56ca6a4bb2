using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Engine.Secrets;
using ExcelMedical.DbRunbook.Steps.Infrastructure.S3;
using ExcelMedical.DbRunbook.Steps.SharedOptions;

namespace ExcelMedical.DbRunbook.Steps.S3;

public enum ServerSideEncryption
{
    /// <summary>No encryption header: the bucket's default applies.</summary>
    None,

    /// <summary>SSE-S3 (the AWS value AES256).</summary>
    Aes256,

    /// <summary>SSE-KMS (the AWS value aws:kms), with kms_key_id or the account's default key.</summary>
    AwsKms,
}

public sealed class S3UploadOptions : S3EndpointOptions, IValidatableObject
{
    [Description("The bucket, usually \"{{ env.S3_BACKUP_BUCKET }}\" (when unset, S3_BACKUP_BUCKET is read). When empty the step uploads nothing and reports skipped: true, as the guide's script does without S3.")]
    public override string? Bucket { get; set; }

    [Description("Upload these files, each as prefix + its file name.")]
    public List<string> Files { get; set; } = [];

    [Description("Upload the files of this folder matching pattern, each as prefix + its path relative to the folder. *.partial files, links and this run's log file are left out.")]
    public string? Folder { get; set; }

    [Description("Which file names of folder to upload (* and ? wildcards).")]
    public string Pattern { get; set; } = "*";

    [Description("Include folder's subfolders (e.g. verification/).")]
    public bool Recursive { get; set; } = true;

    [Description("Leave out files of folder whose name or relative path matches one of these patterns.")]
    public List<string> Exclude { get; set; } = [];

    [Description("A folder-like key prefix such as \"{{ run.started | date.to_string '%Y-%m-%d' }}/\"; a trailing / is added when missing.")]
    public string Prefix { get; set; } = string.Empty;

    [RegularExpression("^[A-Z_]+$", ErrorMessage = "storage_class is an S3 storage class such as STANDARD, STANDARD_IA, INTELLIGENT_TIERING, GLACIER_IR")]
    [Description("The S3 storage class, e.g. STANDARD_IA or GLACIER_IR (default: the bucket's, normally STANDARD).")]
    public string? StorageClass { get; set; }

    [Description("Server-side encryption: none, aes256 (SSE-S3, AES256) or aws_kms (SSE-KMS, aws:kms).")]
    public ServerSideEncryption ServerSideEncryption { get; set; } = ServerSideEncryption.None;

    [Description("The KMS key for server_side_encryption: aws_kms (default: the account's aws/s3 key).")]
    public string? KmsKeyId { get; set; }

    [RegularExpression(ByteSizeText.Pattern, ErrorMessage = ByteSizeText.Expected)]
    [Description("Files at least this large are uploaded in parts (multipart upload), e.g. 64MiB.")]
    public string MultipartThreshold { get; set; } = "64MiB";

    [RegularExpression(ByteSizeText.Pattern, ErrorMessage = ByteSizeText.Expected)]
    [Description("The size of each part of a multipart upload, at least 5MiB; raised automatically when a file would need more than 10,000 parts.")]
    public string PartSize { get; set; } = "16MiB";

    [Range(1, 64)]
    [Description("Parts of one file uploaded at the same time.")]
    public int Concurrency { get; set; } = 4;

    [Description("After each upload, download the object and compare its SHA-256 with the local file's: proof that the stored bytes are the backup's. Costs one download per file.")]
    public bool Verify { get; set; } = true;

    [Secret]
    [Description("Access key id. Default: AWS_ACCESS_KEY_ID from the environment or .env, else the AWS SDK's default credential chain (profile, instance role).")]
    public override string? AccessKey { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Folder) && Files.Count == 0)
        {
            yield return new ValidationResult("give files, folder or both: there is nothing to upload");
        }

        if (KmsKeyId is not null && ServerSideEncryption != ServerSideEncryption.AwsKms)
        {
            yield return new ValidationResult("kms_key_id needs server_side_encryption: aws_kms");
        }

        if (ByteSizeText.TryParse(PartSize, out var part) && part < ByteSizeText.MinimumPartSize)
        {
            yield return new ValidationResult($"part_size must be at least 5MiB (S3's smallest part), not {PartSize}");
        }

        foreach (var result in ValidateServiceUrl("service_url"))
        {
            yield return result;
        }
    }
}
