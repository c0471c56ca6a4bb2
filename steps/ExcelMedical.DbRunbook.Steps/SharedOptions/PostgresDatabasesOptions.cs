namespace ExcelMedical.DbRunbook.Steps.SharedOptions;

/// <summary>
/// What the PostgreSQL maintenance steps share: the connection and which of its server's
/// databases to work on (the listed ones, every database that accepts connections, or by
/// default the connection's own). Each step declares databases and all_databases itself, with
/// wording for what it does to them.
/// </summary>
public abstract class PostgresDatabasesOptions : PostgresConnectionOptions
{
    public abstract List<string> Databases { get; set; }

    public abstract bool AllDatabases { get; set; }
}
