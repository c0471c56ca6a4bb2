using System.Globalization;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Retention;

/// <summary>
/// A foreign key through which deleting rows of one table changes rows of another: ON DELETE
/// CASCADE deletes them (and goes on from there), SET NULL / SET DEFAULT changes them; NO ACTION
/// and RESTRICT make the delete fail while a row is still referenced.
/// </summary>
/// <param name="Via">The tables from the purged one down to <paramref name="Parent"/>, for the plan.</param>
/// <param name="Rows">Rows of <paramref name="Child"/> that reference the rows going; null when not counted (a cycle).</param>
internal sealed record ForeignKeyReach(ResolvedTable Child, string Constraint, char Action, ResolvedTable Parent, IReadOnlyList<string> Via, long? Rows)
{
    /// <summary>Deletes or changes rows (and so refuses without allow_cascade); NO ACTION and RESTRICT only block.</summary>
    public bool Changes => Action is 'c' or 'n' or 'd';

    public string ActionName => Action switch
    {
        'c' => "ON DELETE CASCADE",
        'n' => "ON DELETE SET NULL",
        'd' => "ON DELETE SET DEFAULT",
        'r' => "ON DELETE RESTRICT",
        _ => "ON DELETE NO ACTION",
    };

    public string Effect => Action switch
    {
        'c' => "deleted",
        'n' or 'd' => "changed",
        _ => "still referencing",
    };

    /// <summary>"delete 180 row(s) of public.child through child_parent_id_fkey (ON DELETE CASCADE)".</summary>
    public string Describe()
    {
        var via = Via.Count > 1 ? $", via {string.Join(" -> ", Via)}" : string.Empty;
        var verb = Action == 'c' ? "delete" : Changes ? "change" : "find";
        var rows = Rows is { } count
            ? string.Create(CultureInfo.InvariantCulture, $"{count:N0} row(s)")
            : "uncounted rows (the keys lead back to a table already on this path, a cycle, or deeper than 8 levels)";
        return $"{verb} {rows} of {Child.Display} through {Constraint} ({ActionName}{via})";
    }

    public Dictionary<string, object?> ToOutput() => new(StringComparer.Ordinal)
    {
        ["table"] = Child.Display,
        ["constraint"] = Constraint,
        ["action"] = ActionName,
        ["references"] = Parent.Display,
        ["rows"] = Rows,
        ["effect"] = Effect,
    };
}

/// <summary>A user trigger or rule that runs when rows of a table the purge touches are deleted (or, for SET NULL, updated).</summary>
internal sealed record PurgeHook(ResolvedTable Table, string Name, string Kind, string Event)
{
    public string Describe() => $"run {Kind} {Name} on {Table.Display} ({Event})";

    public Dictionary<string, object?> ToOutput() => new(StringComparer.Ordinal)
    {
        ["table"] = Table.Display,
        ["name"] = Name,
        ["kind"] = Kind,
        ["event"] = Event,
    };
}

/// <summary>A table a purge changes besides the purged one, with its leaf partitions (where PostgreSQL keeps its statistics).</summary>
internal sealed record ReachedTable(ResolvedTable Table, IReadOnlyList<uint> Leaves);

/// <summary>
/// Everything a purge of one table reaches beyond its own rows: foreign keys with an ON DELETE
/// action (followed to grandchildren), user triggers and rules. Such a purge deletes or changes
/// rows the retention policy never named, so it is refused unless the table's entry sets
/// allow_cascade.
/// </summary>
internal sealed record PurgeReach(IReadOnlyList<ForeignKeyReach> Keys, IReadOnlyList<PurgeHook> Hooks, IReadOnlyList<ReachedTable> Tables)
{
    public static readonly PurgeReach None = new([], [], []);

    public IEnumerable<ForeignKeyReach> Cascades => Keys.Where(k => k.Changes);

    public IEnumerable<ForeignKeyReach> Blockers => Keys.Where(k => !k.Changes);

    /// <summary>Whether deleting the rows deletes or changes anything else, or runs code.</summary>
    public bool ReachesFurther => Cascades.Any() || Hooks.Count > 0;

    /// <summary>Why the purge is refused, or null when it reaches nothing further or the entry allows it.</summary>
    public string? Refusal(string table, bool allowCascade)
    {
        if (!ReachesFurther || allowCascade)
        {
            return null;
        }

        var parts = Cascades.Select(k => k.Describe()).Concat(Hooks.Select(h => h.Describe()));
        return $"{table}: deleting its rows reaches beyond the table: it would {string.Join("; ", parts)}; set allow_cascade: true on this table's entry if that is intended";
    }

    /// <summary>The plan's lines under the table's line.</summary>
    public IEnumerable<string> Describe()
    {
        foreach (var key in Cascades)
        {
            yield return "  also " + key.Describe();
        }

        foreach (var hook in Hooks)
        {
            yield return "  also " + hook.Describe();
        }

        foreach (var key in Blockers.Where(k => k.Rows > 0))
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"  note: {key.Rows:N0} row(s) of {key.Child.Display} still reference rows to purge through {key.Constraint} ({key.ActionName}): a batch holding one fails with a foreign-key error");
        }
    }
}
