using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Engine.Options;

namespace ExcelMedical.DbRunbook.Steps.Maintenance;

public sealed class PostgresUnusedIndexesOptions
{
    [Connection]
    [Description("The playbook connection (host, port, user, password, database).")]
    public string Connection { get; set; } = "postgres";

    [Description("The databases to look at (default: the connection's database).")]
    public List<string> Databases { get; set; } = [];

    [Description("Look at every database that accepts connections (templates excluded) instead of databases.")]
    public bool AllDatabases { get; set; }

    [Range(0.0, 1_000_000.0)]
    [Description("Report only unused indexes of at least this size (MiB).")]
    public double MinSizeMb { get; set; }
}
