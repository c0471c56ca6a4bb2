using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Steps.SharedOptions;

namespace ExcelMedical.DbRunbook.Steps.Retention;

/// <summary>One table of the retention policy: rows whose date column is older than days are purged.</summary>
public sealed class PostgresRetentionTable : RetentionEntryOptions
{
    [Required]
    [Description("The table (schema.table, or table on the search_path), e.g. audit_logs.")]
    public string Table { get; set; } = string.Empty;

    [Description("The date/time column (date, timestamp or timestamptz) whose age decides; rows where it is NULL are kept.")]
    public string Column { get; set; } = "created_at";

    [Description("The retention period: rows with column < (run start - days) are deleted.")]
    public override int Days { get; set; }

    [Description("Allow this table's purge to delete more than max_delete_share of its rows (e.g. the first purge of a long backlog).")]
    public override bool AllowLargeDelete { get; set; }

    [Description("Allow this table's purge to delete or change rows of other tables (foreign keys ON DELETE CASCADE / SET NULL / SET DEFAULT, followed to grandchildren) and to fire delete triggers and rules; without it such a purge is refused, and the dry run lists what it would reach with row counts.")]
    public bool AllowCascade { get; set; }

    protected override string Target => Table;
}

public sealed class PostgresRetentionOptions : PostgresConnectionOptions, IValidatableObject
{
    [Required]
    [Description("The retention policy, one entry per table: table, column (default created_at), days, allow_large_delete, allow_cascade.")]
    public List<PostgresRetentionTable> Tables { get; set; } = [];

    [Range(1, 1_000_000)]
    [Description("Rows deleted per batch; each batch is its own transaction, so locks stay short and an interrupted purge keeps what it did.")]
    public int BatchSize { get; set; } = 5000;

    [Description("Pause between batches, leaving room for the application's own queries and for replicas to catch up.")]
    public TimeSpan BatchPause { get; set; } = TimeSpan.FromMilliseconds(100);

    [Description("statement_timeout of each batch (0s: none); a batch that takes longer fails the step, earlier batches stay deleted.")]
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromMinutes(1);

    [Range(1, 36500)]
    [Description("Guard rail: a table whose days is below this is refused at validation (a typo such as 9 for 90 must not purge three months of data).")]
    public int MinDays { get; set; } = 30;

    [Range(0.0, 1.0)]
    [Description("Guard rail: when a purge would delete more than this share of a table's rows (a wrong column, a too-short period), nothing is deleted and the step fails, unless the table sets allow_large_delete.")]
    public double MaxDeleteShare { get; set; } = 0.5;

    [Description("The time zone (an IANA name such as Asia/Tokyo, or UTC) in which timestamp (without time zone) and date columns are read: the cutoff instant becomes that zone's wall-clock time (or day) and the column is compared with it. Default: the session's TimeZone setting (the server's, or the database's or role's own), shown in the plan. timestamptz columns are compared as instants and need no zone.")]
    public string? TimeZone { get; set; }

    [Description("VACUUM (ANALYZE) each purged table afterwards, so the space is reused and the planner knows the new size.")]
    public bool Vacuum { get; set; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        RetentionEntryOptions.ValidatePolicy(Tables, MinDays, "table", "{ table: audit_logs, days: 365 }");
}
