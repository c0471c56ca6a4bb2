using System.Globalization;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;
using Npgsql;
using NpgsqlTypes;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Retention;

/// <summary>
/// Measures what an allowed cascade really did: each batch runs in its own transaction, and
/// PostgreSQL's per-transaction table statistics (pg_stat_get_xact_tuples_deleted/_updated, which
/// count the foreign keys' cascaded deletes and updates too) are read just before and just after
/// the batch's DELETE, before the commit. The difference is what the batch changed in each table
/// the purge reaches, so the run reports measured counts next to the dry run's predicted ones.
/// </summary>
internal sealed class CascadeMeter
{
    private const string CountsSql = "SELECT pg_stat_get_xact_tuples_deleted(o), pg_stat_get_xact_tuples_updated(o) FROM unnest(@oids) WITH ORDINALITY AS l(o, i) ORDER BY i";

    private readonly NpgsqlConnection? _connection;
    private readonly IReadOnlyList<ReachedTable> _tables;
    private readonly uint[] _leaves;
    private readonly long[] _deleted;
    private readonly long[] _updated;
    private readonly string? _unmeasured;

    private CascadeMeter(NpgsqlConnection? connection, IReadOnlyList<ReachedTable> tables, string? unmeasured)
    {
        _connection = connection;
        _tables = tables;
        _leaves = [.. tables.SelectMany(t => t.Leaves)];
        _deleted = new long[tables.Count];
        _updated = new long[tables.Count];
        _unmeasured = unmeasured;
    }

    /// <summary>A meter for the tables a purge reaches; with none it measures nothing and adds no transaction.</summary>
    public static async Task<CascadeMeter> StartAsync(NpgsqlConnection connection, PurgeReach reach, CancellationToken cancellationToken)
    {
        if (reach.Tables.Count == 0)
        {
            return new CascadeMeter(null, [], null);
        }

        // Without track_counts the statistics stay at zero: say so rather than report zeros.
        var tracked = await PostgresMaintenance.ScalarAsync<string>(connection, "SELECT current_setting('track_counts')", cancellationToken) == "on";
        return tracked
            ? new CascadeMeter(connection, reach.Tables, null)
            : new CascadeMeter(null, reach.Tables, "not measured: the server's track_counts is off");
    }

    /// <summary>Runs one batch's DELETE, in a transaction of its own when there is something to measure.</summary>
    public async Task<int> MeasureAsync(Func<Task<int>> delete, CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            return await delete();
        }

        await using var transaction = await _connection.BeginTransactionAsync(cancellationToken);
        var before = await CountsAsync(cancellationToken);
        var count = await delete();
        var after = await CountsAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var leaf = 0;
        for (var table = 0; table < _tables.Count; table++)
        {
            foreach (var _ in _tables[table].Leaves)
            {
                _deleted[table] += after[leaf].Deleted - before[leaf].Deleted;
                _updated[table] += after[leaf].Updated - before[leaf].Updated;
                leaf++;
            }
        }

        return count;
    }

    /// <summary>The log's lines: "the cascade deleted 40 row(s) and changed 0 of public.child".</summary>
    public IEnumerable<string> Describe() => _tables.Select((t, i) => _unmeasured is null
        ? string.Create(CultureInfo.InvariantCulture, $"the cascade deleted {_deleted[i]:N0} row(s) and changed {_updated[i]:N0} of {t.Table.Display} (measured)")
        : $"the cascade to {t.Table.Display} was {_unmeasured}");

    public Dictionary<string, object?>? ToOutput() => _tables.Count == 0 ? null : new(StringComparer.Ordinal)
    {
        ["cascaded"] = _tables.Select((t, i) => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["table"] = t.Table.Display,
            ["rows_deleted"] = _unmeasured is null ? _deleted[i] : null,
            ["rows_changed"] = _unmeasured is null ? _updated[i] : null,
        }).ToList(),
    };

    private async Task<(long Deleted, long Updated)[]> CountsAsync(CancellationToken cancellationToken)
    {
        var counts = new (long, long)[_leaves.Length];
        await using var command = new NpgsqlCommand(CountsSql, _connection);
        command.Parameters.Add(new NpgsqlParameter("oids", NpgsqlDbType.Array | NpgsqlDbType.Oid) { Value = _leaves });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        for (var i = 0; await reader.ReadAsync(cancellationToken); i++)
        {
            counts[i] = (reader.GetInt64(0), reader.GetInt64(1));
        }

        return counts;
    }
}
