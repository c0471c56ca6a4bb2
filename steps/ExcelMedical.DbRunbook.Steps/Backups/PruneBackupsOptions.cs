using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Engine.Options;

namespace ExcelMedical.DbRunbook.Steps.Backups;

public sealed class PruneBackupsOptions : IValidatableObject
{
    [Required]
    [NotFileSystemRoot]
    [Description("The backup root holding one YYYY-MM-DD folder per day, e.g. \"{{ vars.root }}\". Must exist and may not be /.")]
    public string Root { get; set; } = string.Empty;

    [Range(0, 36500)]
    [Description("The guide's BACKUP_RETENTION_DAYS: a day folder is deleted when its date is before today minus keep_days (local time). With 7 on 2026-11-25, 2026-11-18 is kept and 2026-11-17 goes.")]
    public int KeepDays { get; set; } = 7;

    [Range(1, 10000)]
    [Description("The newest dated folders always kept, however old (the newest one is never deleted).")]
    public int MinKeep { get; set; } = 3;

    [Description("Ids of this run's verification steps (e.g. [pg_verify, mongo_verify]) that must have succeeded before anything is deleted; otherwise the step refuses. Not set: every earlier postgres.verify and archive.verify step of the run (and the step refuses when there is none). [] prunes without waiting for any verification.")]
    [StepReference]
    public List<string>? RequireVerified { get; set; }

    [Description("Required verification steps that may have been skipped (e.g. mongo_verify when MONGO_URI is unset); a failure still refuses.")]
    [StepReference]
    public List<string> OptionalSteps { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Without require_verified the run's own verification steps are required; those are known only when it runs.
        foreach (var step in OptionalSteps.Where(step => RequireVerified is not null && !RequireVerified.Contains(step, StringComparer.Ordinal)))
        {
            yield return new ValidationResult($"optional_steps names '{step}', which is not in require_verified");
        }
    }
}
