using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Steps.SharedOptions;

namespace ExcelMedical.DbRunbook.Steps.Retention;

/// <summary>One collection of the retention policy: documents whose date field is older than days are purged.</summary>
public sealed class MongoRetentionPolicy : RetentionEntryOptions
{
    [Required]
    [Description("The collection, e.g. chat_conversations.")]
    public string Collection { get; set; } = string.Empty;

    [Description("The field holding a BSON date whose age decides; documents without it are kept.")]
    public string Field { get; set; } = "created_at";

    [Description("The retention period: documents with field < (run start - days) are deleted.")]
    public override int Days { get; set; }

    [Description("Allow this collection's purge to delete more than max_delete_share of its documents (e.g. the first purge of a long backlog).")]
    public override bool AllowLargeDelete { get; set; }

    protected override string Target => Collection;
}

public sealed class MongoRetentionOptions : MongoConnectionOptions, IRetentionGuardOptions, IValidatableObject
{
    [Required]
    [Description("The retention policy, one entry per collection: collection, field (default created_at), days, allow_large_delete.")]
    public List<MongoRetentionPolicy> Collections { get; set; } = [];

    [Range(1, 100_000)]
    [Description("Documents deleted per batch (by _id), so each delete is short and an interrupted purge keeps what it did.")]
    public int BatchSize { get; set; } = 1000;

    [Description("Pause between batches, leaving room for the application and for secondaries to replicate.")]
    public TimeSpan BatchPause { get; set; } = TimeSpan.FromMilliseconds(100);

    [Range(1, 36500)]
    [Description("Guard rail: a collection whose days is below this is refused at validation.")]
    public int MinDays { get; set; } = 30;

    [Range(0.0, 1.0)]
    [Description("Guard rail: a collection whose purge would delete more than this share of its documents (a wrong field, a too-short period, or a backlog) is held back: nothing is deleted from it, the other collections are purged, and the run ends with a warning that names the command confirming it once. allow_large_delete on the entry, or allow_large_delete_for, lets it through.")]
    public double MaxDeleteShare { get; set; } = 0.5;

    [Description("Comma-separated collections (as listed in collections) whose purge may delete more than max_delete_share in this run: the operator's one-time confirmation of a backlog, e.g. \"{{ vars.allow_large_delete }}\" fed by --var allow_large_delete=analytics_events. Names of other steps' entries are ignored.")]
    public string? AllowLargeDeleteFor { get; set; }

    [RegularExpression("^[A-Za-z][A-Za-z0-9_]*$", ErrorMessage = "confirm_var is the name of a playbook variable, e.g. allow_large_delete")]
    [Description("The playbook variable that feeds allow_large_delete_for (e.g. allow_large_delete): a held-back collection's warning then gives the exact command that confirms it once, runbook run <playbook> --var <confirm_var>=<collections>.")]
    public string? ConfirmVar { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        RetentionEntryOptions.ValidatePolicy(Collections, MinDays, "collection", "{ collection: chat_conversations, days: 180 }");
}
