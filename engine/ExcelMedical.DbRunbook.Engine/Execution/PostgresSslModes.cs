namespace ExcelMedical.DbRunbook.Engine.Execution;

/// <summary>
/// The <c>sslmode</c> values of a PostgreSQL connection, spelt as libpq (and so pg_dump and
/// pg_restore) spells them; in-process connections map each to Npgsql's equivalent.
/// </summary>
public static class PostgresSslModes
{
    public static IReadOnlyList<string> All { get; } = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];
}
