using System.ComponentModel;
using ExcelMedical.DbRunbook.Engine.Options;

namespace ExcelMedical.DbRunbook.Steps.Maintenance;

public sealed class PostgresVacuumOptions
{
    [Connection]
    [Description("The playbook connection (host, port, user, password, database).")]
    public string Connection { get; set; } = "postgres";

    [Description("The databases to vacuum, one after another (default: the connection's database).")]
    public List<string> Databases { get; set; } = [];

    [Description("Vacuum every database that accepts connections (templates excluded) instead of databases.")]
    public bool AllDatabases { get; set; }

    [Description("Only these tables (schema.table or table); default: the whole database.")]
    public List<string> Tables { get; set; } = [];

    [Description("VACUUM (ANALYZE): also refresh the planner statistics, as the guide's VACUUM ANALYZE does.")]
    public bool Analyze { get; set; } = true;
}
