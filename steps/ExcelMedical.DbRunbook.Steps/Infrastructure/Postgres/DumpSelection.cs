using System.Text.RegularExpressions;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;

/// <summary>
/// Which schemas and tables a dump covers, as pg_dump arguments and as a predicate for the
/// table inventory. Patterns use pg_dump's simple wildcards: * and ?; a table pattern without a
/// dot matches that name in any schema.
/// </summary>
internal sealed class DumpSelection(IReadOnlyList<string> schemas, IReadOnlyList<string> excludeSchemas, IReadOnlyList<string> tables, IReadOnlyList<string> excludeTables)
{
    public static DumpSelection Everything { get; } = new([], [], [], []);

    public IEnumerable<string> PgDumpArguments()
    {
        foreach (var schema in schemas)
        {
            yield return "--schema=" + schema;
        }

        foreach (var schema in excludeSchemas)
        {
            yield return "--exclude-schema=" + schema;
        }

        foreach (var table in tables)
        {
            yield return "--table=" + table;
        }

        foreach (var table in excludeTables)
        {
            yield return "--exclude-table=" + table;
        }
    }

    public bool Includes(string schema, string table)
    {
        if (schemas.Count > 0 && !schemas.Any(pattern => Matches(pattern, schema)))
        {
            return false;
        }

        if (excludeSchemas.Any(pattern => Matches(pattern, schema)))
        {
            return false;
        }

        if (tables.Count > 0 && !tables.Any(pattern => MatchesTable(pattern, schema, table)))
        {
            return false;
        }

        return !excludeTables.Any(pattern => MatchesTable(pattern, schema, table));
    }

    private static bool MatchesTable(string pattern, string schema, string table)
    {
        var dot = pattern.IndexOf('.', StringComparison.Ordinal);
        return dot < 0
            ? Matches(pattern, table)
            : Matches(pattern[..dot], schema) && Matches(pattern[(dot + 1)..], table);
    }

    private static bool Matches(string pattern, string name) =>
        Regex.IsMatch(name, "^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$", RegexOptions.None, TimeSpan.FromSeconds(1));
}
