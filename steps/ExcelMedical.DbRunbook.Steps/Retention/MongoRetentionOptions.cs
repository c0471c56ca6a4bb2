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

public sealed class MongoRetentionOptions : MongoConnectionOptions, IValidatableObject
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
    [Description("Guard rail: when a purge would delete more than this share of a collection (a wrong field, a too-short period), nothing is deleted and the step fails, unless the collection sets allow_large_delete.")]
    public double MaxDeleteShare { get; set; } = 0.5;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        RetentionEntryOptions.ValidatePolicy(Collections, MinDays, "collection", "{ collection: chat_conversations, days: 180 }");
}
