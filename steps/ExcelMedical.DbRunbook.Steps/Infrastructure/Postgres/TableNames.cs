using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;
using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;

/// <summary>A table a playbook named, found in the catalog.</summary>
internal sealed record ResolvedTable(uint Oid, string Schema, string Name, char Kind)
{
    /// <summary>schema.name for logs and messages, control characters escaped.</summary>
    public string Display => NameText.Printable(Schema + "." + Name);

    public string Sql => PostgresMaintenance.Quote(Schema, Name);
}

/// <summary>Resolves table names as written in a playbook (schema.table, or table on the search_path).</summary>
internal static class TableNames
{
    private const string LookupSql = """
        SELECT c.oid, n.nspname, c.relname, c.relkind
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.oid = to_regclass(@name)
        """;

    /// <summary>The table, or null when no relation has that name.</summary>
    public static async Task<ResolvedTable?> FindAsync(NpgsqlConnection connection, string name, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(LookupSql, connection);
        command.Parameters.AddWithValue("name", name.Trim());
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken)
                ? new ResolvedTable(reader.GetFieldValue<uint>(0), reader.GetString(1), reader.GetString(2), reader.GetChar(3))
                : null;
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InvalidName or PostgresErrorCodes.SyntaxError or PostgresErrorCodes.InvalidSchemaName or "3D000")
        {
            // "a.b.c.d" and the like: not a name at all.
            return null;
        }
    }

    /// <summary>Every named table, or a failure naming all that do not exist.</summary>
    public static async Task<IReadOnlyList<ResolvedTable>> ResolveAllAsync(NpgsqlConnection connection, IReadOnlyList<string> names, string database, CancellationToken cancellationToken)
    {
        var found = new List<ResolvedTable>();
        var missing = new List<string>();
        foreach (var name in names)
        {
            if (await FindAsync(connection, name, cancellationToken) is { Kind: 'r' or 'p' or 'm' } table)
            {
                found.Add(table);
            }
            else
            {
                missing.Add(name);
            }
        }

        return missing.Count == 0
            ? found
            : throw new StepFailedException($"no table {string.Join(", ", missing.Select(m => $"'{m}'"))} in database {database}: check the tables option (schema-qualify names that are not on the search_path)");
    }
}
