using ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;
using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Retention;

/// <summary>
/// Finds what a purge of one table reaches beyond its own rows, inside the census's snapshot:
/// every foreign key referencing it (or a partitioned table above it), followed through ON DELETE
/// CASCADE to the grandchildren; the rows each one deletes or changes, counted with the purge's
/// own predicate joined along the keys; and the user triggers and rules that fire on the way.
/// </summary>
internal static class PurgeReachSurvey
{
    /// <summary>Cascades deeper than this are listed but neither counted nor followed.</summary>
    private const int MaxDepth = 8;

    private const int DeleteEvent = 8;
    private const int UpdateEvent = 16;

    private const string KeysSql = """
        SELECT c.conname, c.confdeltype::text, r.oid, n.nspname, r.relname, r.relkind,
               ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, i) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.i),
               ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(attnum, i) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.i)
        FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
        WHERE c.contype = 'f' AND c.conparentid = 0
          AND (c.confrelid = @oid OR c.confrelid IN (SELECT relid FROM pg_partition_ancestors(@oid)))
        ORDER BY n.nspname, r.relname, c.conname
        """;

    // Clones of a partitioned table's trigger on its partitions (tgparentid <> 0) are the same trigger.
    private const string HooksSql = """
        SELECT n.nspname, c.relname, c.oid, c.relkind, t.tgname::text, 'trigger', t.tgtype::int
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE (t.tgrelid = @oid OR t.tgrelid IN (SELECT relid FROM pg_partition_tree(@oid)))
          AND NOT t.tgisinternal AND t.tgparentid = 0 AND t.tgenabled IN ('O', 'A') AND (t.tgtype::int & @events) <> 0
        UNION ALL
        SELECT n.nspname, c.relname, c.oid, c.relkind, r.rulename::text, 'rule', CASE r.ev_type WHEN '4' THEN 8 ELSE 16 END
        FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE (r.ev_class = @oid OR r.ev_class IN (SELECT relid FROM pg_partition_tree(@oid)))
          AND r.ev_enabled IN ('O', 'A') AND ((r.ev_type = '4' AND (@events & 8) <> 0) OR (r.ev_type = '2' AND (@events & 16) <> 0))
        ORDER BY 1, 2, 5
        """;

    private sealed record Node(ResolvedTable Table, string Rows, int Depth, IReadOnlyList<uint> Path, IReadOnlyList<string> Via);

    /// <summary>
    /// Surveys the reach of deleting the rows of <paramref name="table"/> where <paramref name="column"/>
    /// is before <paramref name="cutoff"/>; runs inside the census's read-only snapshot.
    /// </summary>
    public static async Task<PurgeReach> TakeAsync(NpgsqlConnection connection, ResolvedTable table, string column, RetentionCutoff cutoff, CancellationToken cancellationToken)
    {
        var keys = new List<ForeignKeyReach>();
        var hooks = await HooksAsync(connection, table, DeleteEvent, cancellationToken);
        var reached = new List<ReachedTable>();

        // Depth first, so each grandchild is listed right after the key that leads to it.
        async Task FollowAsync(Node node)
        {
            foreach (var key in await KeysAsync(connection, node.Table, cancellationToken))
            {
                var depth = node.Depth + 1;
                var join = string.Join(" AND ", key.ParentColumns.Zip(key.ChildColumns, (p, c) => $"{Alias(node.Depth)}.{TableInventory.Quote(p)} = {Alias(depth)}.{TableInventory.Quote(c)}"));
                var rows = $"EXISTS (SELECT 1 FROM {From(node.Table)} AS {Alias(node.Depth)} WHERE {join} AND {node.Rows})";
                var cycle = node.Path.Contains(key.Child.Oid);
                long? count = cycle || depth > MaxDepth ? null : await CountAsync(connection, $"SELECT count(*) FROM {From(key.Child)} AS {Alias(depth)} WHERE {rows}", cutoff, cancellationToken);
                var reach = new ForeignKeyReach(key.Child, key.Name, key.Action, node.Table, node.Via, count);
                keys.Add(reach);
                if (!reach.Changes || cycle)
                {
                    continue;
                }

                if (reached.All(r => r.Table.Oid != key.Child.Oid))
                {
                    var leaves = key.Child.Kind == 'p' ? await PostgresRetentionCensus.LeavesAsync(connection, key.Child, cancellationToken) : [key.Child];
                    reached.Add(new ReachedTable(key.Child, [.. leaves.Select(l => l.Oid)]));
                }

                foreach (var hook in await HooksAsync(connection, key.Child, key.Action == 'c' ? DeleteEvent : UpdateEvent, cancellationToken))
                {
                    if (!hooks.Contains(hook))
                    {
                        hooks.Add(hook);
                    }
                }

                if (key.Action == 'c' && depth <= MaxDepth)
                {
                    await FollowAsync(new Node(key.Child, rows, depth, [.. node.Path, key.Child.Oid], [.. node.Via, key.Child.Display]));
                }
            }
        }

        await FollowAsync(new Node(table, RetentionCutoff.Predicate($"{Alias(0)}.{column}"), 0, [table.Oid], [table.Display]));
        return new PurgeReach(keys, hooks, reached);
    }

    private static string Alias(int depth) => "t" + depth.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A plain table is read without its inheritance children (the purge deletes FROM ONLY it); a partitioned one with its partitions.</summary>
    private static string From(ResolvedTable table) => (table.Kind == 'p' ? string.Empty : "ONLY ") + table.Sql;

    private static async Task<long> CountAsync(NpgsqlConnection connection, string sql, RetentionCutoff cutoff, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        cutoff.Bind(command);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private sealed record Key(string Name, char Action, ResolvedTable Child, IReadOnlyList<string> ChildColumns, IReadOnlyList<string> ParentColumns);

    private static async Task<List<Key>> KeysAsync(NpgsqlConnection connection, ResolvedTable table, CancellationToken cancellationToken)
    {
        var keys = new List<Key>();
        await using var command = new NpgsqlCommand(KeysSql, connection);
        PostgresMaintenance.AddParameter(command, "oid", table.Oid);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var child = new ResolvedTable(reader.GetFieldValue<uint>(2), reader.GetString(3), reader.GetString(4), reader.GetChar(5));
            keys.Add(new Key(reader.GetString(0), reader.GetString(1)[0], child, reader.GetFieldValue<string[]>(6), reader.GetFieldValue<string[]>(7)));
        }

        return keys;
    }

    private static async Task<List<PurgeHook>> HooksAsync(NpgsqlConnection connection, ResolvedTable table, int events, CancellationToken cancellationToken)
    {
        var hooks = new List<PurgeHook>();
        await using var command = new NpgsqlCommand(HooksSql, connection);
        PostgresMaintenance.AddParameter(command, "oid", table.Oid);
        command.Parameters.AddWithValue("events", events);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var owner = new ResolvedTable(reader.GetFieldValue<uint>(2), reader.GetString(0), reader.GetString(1), reader.GetChar(3));
            hooks.Add(new PurgeHook(owner, reader.GetString(4), reader.GetString(5), Event(reader.GetString(5), reader.GetInt32(6), events)));
        }

        return hooks;
    }

    /// <summary>pg_trigger.tgtype's bits as the CREATE TRIGGER words: "AFTER DELETE FOR EACH ROW".</summary>
    private static string Event(string kind, int type, int events)
    {
        var action = (type & events & DeleteEvent) != 0 ? "DELETE" : "UPDATE";
        if (kind == "rule")
        {
            return "ON " + action;
        }

        var timing = (type & 2) != 0 ? "BEFORE" : (type & 64) != 0 ? "INSTEAD OF" : "AFTER";
        return $"{timing} {action} FOR EACH {((type & 1) != 0 ? "ROW" : "STATEMENT")}";
    }
}
