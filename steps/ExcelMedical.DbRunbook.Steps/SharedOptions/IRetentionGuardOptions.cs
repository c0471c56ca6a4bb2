namespace ExcelMedical.DbRunbook.Steps.SharedOptions;

/// <summary>
/// The guard-rail options postgres.retention and mongo.retention share, each declared in the
/// step's options class with its own wording (rows of tables, documents of collections).
/// </summary>
public interface IRetentionGuardOptions
{
    /// <summary>An entry whose purge would delete more than this share is held back, with a warning.</summary>
    double MaxDeleteShare { get; }

    /// <summary>Comma-separated entries whose large purge the operator confirmed for this run.</summary>
    string? AllowLargeDeleteFor { get; }

    /// <summary>The playbook variable that feeds <see cref="AllowLargeDeleteFor"/>, for the command a warning gives.</summary>
    string? ConfirmVar { get; }
}
