using System.ComponentModel;
using ExcelMedical.DbRunbook.Steps.SharedOptions;

namespace ExcelMedical.DbRunbook.Steps.Maintenance;

public sealed class PostgresAnalyzeOptions : PostgresDatabasesOptions
{
    [Description("The databases to analyze, one after another (default: the connection's database).")]
    public override List<string> Databases { get; set; } = [];

    [Description("Analyze every database that accepts connections (templates excluded) instead of databases.")]
    public override bool AllDatabases { get; set; }

    [Description("Only these tables (schema.table or table); default: the whole database.")]
    public List<string> Tables { get; set; } = [];
}
