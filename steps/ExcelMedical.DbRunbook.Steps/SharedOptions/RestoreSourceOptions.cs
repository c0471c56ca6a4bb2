using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace ExcelMedical.DbRunbook.Steps.SharedOptions;

/// <summary>Where a restore takes its backup from.</summary>
public enum RestoreFrom
{
    /// <summary>The local file when there is one, else the S3 copy.</summary>
    Auto,

    /// <summary>Only the local file or day folder.</summary>
    Local,

    /// <summary>Only the S3 copy (downloaded and checked first).</summary>
    S3,
}

/// <summary>
/// What the restore steps share: where the archive comes from (a file, a backup day folder or the
/// S3 copy) and the production guard. Each step declares file, folder and s3 itself, with wording
/// for its own archive format.
/// </summary>
public abstract class RestoreSourceOptions : IValidatableObject
{
    public abstract string? File { get; set; }

    public abstract string? Folder { get; set; }

    public abstract S3SourceOptions? S3 { get; set; }

    [Description("auto: the local file when there is one, else the S3 copy; local; s3.")]
    public RestoreFrom From { get; set; } = RestoreFrom.Auto;

    [Description("Where an S3 download goes (default: a private folder under the system's temp folder). The download is deleted after the restore.")]
    public string? DownloadFolder { get; set; }

    [Description("Allow the target to be the connection's own database, i.e. replace production. Without it such a restore is refused.")]
    public bool ConfirmOverwriteProduction { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(File) && string.IsNullOrWhiteSpace(Folder) && S3 is null)
        {
            yield return new ValidationResult("give file, folder or s3: there is nothing to restore");
        }

        if (!string.IsNullOrWhiteSpace(File) && !string.IsNullOrWhiteSpace(Folder))
        {
            yield return new ValidationResult("give file or folder, not both");
        }

        if (From == RestoreFrom.S3 && S3 is null)
        {
            yield return new ValidationResult("from: s3 needs the s3 option (bucket, prefix or key)");
        }

        foreach (var result in ValidateTarget())
        {
            yield return result;
        }

        foreach (var result in S3?.Validate() ?? [])
        {
            yield return result;
        }
    }

    /// <summary>A step's own checks, reported after the source's and before the s3 mapping's.</summary>
    protected virtual IEnumerable<ValidationResult> ValidateTarget() => [];
}
