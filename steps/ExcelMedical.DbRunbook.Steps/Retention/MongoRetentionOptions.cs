using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Engine.Options;

namespace ExcelMedical.DbRunbook.Steps.Retention;

/// <summary>One collection of the retention policy: documents whose date field is older than days are purged.</summary>
public sealed class MongoRetentionPolicy
{
    [Required]
    [Description("The collection, e.g. chat_conversations.")]
    public string Collection { get; set; } = string.Empty;

    [Description("The field holding a BSON date whose age decides; documents without it are kept.")]
    public string Field { get; set; } = "created_at";

    [Required]
    [Range(1, 36500)]
    [Description("The retention period: documents with field < (run start - days) are deleted.")]
    public int Days { get; set; }

    [Description("Allow this collection's purge to delete more than max_delete_share of its documents (e.g. the first purge of a long backlog).")]
    public bool AllowLargeDelete { get; set; }
}

public sealed class MongoRetentionOptions : IValidatableObject
{
    [Connection]
    [Description("The playbook connection; its uri (the guide's MONGO_URI) names the server, the credentials and the database.")]
    public string Connection { get; set; } = "mongo";

    [Description("The database (default: the one in the connection's uri).")]
    public string? Database { get; set; }

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

    [Description("How long to wait for a reachable server before failing.")]
    public TimeSpan ServerSelectionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Collections.Count == 0)
        {
            yield return new ValidationResult("collections is empty: list the collections to purge, e.g. { collection: chat_conversations, days: 180 }");
        }

        foreach (var collection in Collections.Where(c => c.Days > 0 && c.Days < MinDays))
        {
            yield return new ValidationResult($"refused: collection '{collection.Collection}' has days {collection.Days}, below min_days {MinDays}; such a recent cutoff is taken for a mistake (raise days, or lower min_days if it is really meant)");
        }

        foreach (var duplicate in Collections.GroupBy(c => c.Collection.Trim(), StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            yield return new ValidationResult($"collection '{duplicate.Key}' is listed {duplicate.Count()} times; list each collection once");
        }
    }
}
