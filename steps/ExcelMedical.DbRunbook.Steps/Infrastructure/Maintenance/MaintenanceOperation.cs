namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;

/// <summary>
/// One line of the maintenance report: what was done to which target, how it ended, how long it
/// took, the size before and after and the rows deleted. Every maintenance and retention step
/// publishes its lines as the output <c>operations</c>, which
/// playbooks/templates/maintenance_report.sbn prints.
/// </summary>
internal sealed record MaintenanceOperation(
    string Operation,
    string Target,
    string Status,
    double DurationSeconds,
    long? SizeBeforeBytes = null,
    long? SizeAfterBytes = null,
    long? RowsDeleted = null,
    string? Note = null)
{
    public const string Done = "done";
    public const string Skipped = "skipped";
    public const string Failed = "failed";
    public const string Refused = "refused";

    /// <summary>A retention purge the guard rail held back (it would delete more than max_delete_share), with a warning.</summary>
    public const string Held = "held";
    public const string Reported = "reported";
    public const string Planned = "planned";

    /// <summary>The output form: a map with snake_case keys, as templates and the run record read it.</summary>
    public Dictionary<string, object?> ToOutput() => new(StringComparer.Ordinal)
    {
        ["operation"] = Operation,
        ["target"] = Target,
        ["status"] = Status,
        ["duration_seconds"] = Math.Round(DurationSeconds, 3),
        ["size_before_bytes"] = SizeBeforeBytes,
        ["size_after_bytes"] = SizeAfterBytes,
        ["rows_deleted"] = RowsDeleted,
        ["note"] = Note,
    };

    public static List<Dictionary<string, object?>> ToOutputs(IEnumerable<MaintenanceOperation> operations) =>
        [.. operations.Select(operation => operation.ToOutput())];
}
