using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Steps.SharedOptions;

namespace ExcelMedical.DbRunbook.Steps.Maintenance;

public sealed class PostgresUnusedIndexesOptions : PostgresDatabasesOptions
{
    [Description("The databases to look at (default: the connection's database).")]
    public override List<string> Databases { get; set; } = [];

    [Description("Look at every database that accepts connections (templates excluded) instead of databases.")]
    public override bool AllDatabases { get; set; }

    [Range(0.0, 1_000_000.0)]
    [Description("Report only unused indexes of at least this size (MiB).")]
    public double MinSizeMb { get; set; }
}
