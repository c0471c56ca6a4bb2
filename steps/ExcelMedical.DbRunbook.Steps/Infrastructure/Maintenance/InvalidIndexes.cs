using System.Text.RegularExpressions;
using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;

/// <summary>An index PostgreSQL marks invalid (pg_index.indisvalid = false): it costs writes and serves no query.</summary>
internal sealed partial record InvalidIndex(string Database, string Schema, string Index, string Table, long SizeBytes)
{
    /// <summary>A leftover of an interrupted REINDEX … CONCURRENTLY (PostgreSQL names them *_ccnew, *_ccold).</summary>
    public bool IsReindexLeftover => LeftoverName().IsMatch(Index);

    public string Display => $"{Schema}.{Index} on {Schema}.{Table}";

    public string Advice => IsReindexLeftover
        ? $"a leftover of an interrupted REINDEX CONCURRENTLY: DROP INDEX CONCURRENTLY {PostgresMaintenance.Quote(Schema, Index)}"
        : $"a failed CREATE INDEX CONCURRENTLY or REINDEX: DROP INDEX CONCURRENTLY {PostgresMaintenance.Quote(Schema, Index)} and create it again";

    public Dictionary<string, object?> ToOutput() => new(StringComparer.Ordinal)
    {
        ["database"] = Database,
        ["index"] = Schema + "." + Index,
        ["table"] = Schema + "." + Table,
        ["size_bytes"] = SizeBytes,
        ["reindex_leftover"] = IsReindexLeftover,
        ["advice"] = Advice,
    };

    public static async Task<IReadOnlyList<InvalidIndex>> FindAsync(NpgsqlConnection connection, string database, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT n.nspname, ci.relname, ct.relname, pg_relation_size(ci.oid)
            FROM pg_index i
            JOIN pg_class ci ON ci.oid = i.indexrelid
            JOIN pg_class ct ON ct.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = ci.relnamespace
            WHERE NOT i.indisvalid
            ORDER BY 1, 2
            """;
        var found = new List<InvalidIndex>();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(new InvalidIndex(database, reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3)));
        }

        return found;
    }

    [GeneratedRegex("_cc(new|old)[0-9]*$", RegexOptions.CultureInvariant)]
    private static partial Regex LeftoverName();
}
