using System.ComponentModel;
using ExcelMedical.DbRunbook.Engine.Options;

namespace ExcelMedical.DbRunbook.Steps.Maintenance;

public sealed class PostgresAnalyzeOptions
{
    [Connection]
    [Description("The playbook connection (host, port, user, password, database).")]
    public string Connection { get; set; } = "postgres";

    [Description("The databases to analyze, one after another (default: the connection's database).")]
    public List<string> Databases { get; set; } = [];

    [Description("Analyze every database that accepts connections (templates excluded) instead of databases.")]
    public bool AllDatabases { get; set; }

    [Description("Only these tables (schema.table or table); default: the whole database.")]
    public List<string> Tables { get; set; } = [];
}
