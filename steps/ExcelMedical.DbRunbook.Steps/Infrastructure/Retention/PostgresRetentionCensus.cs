using System.Data;
using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;
using ExcelMedical.DbRunbook.Steps.Retention;
using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Retention;

/// <summary>What the retention policy means for one table right now: whether it may be purged, and how many rows go.</summary>
internal sealed record TableCensus(
    PostgresRetentionTable Policy,
    ResolvedTable? Table,
    string? ColumnType,
    DateTimeOffset Cutoff,
    long Rows,
    long Older,
    IReadOnlyList<ResolvedTable> Leaves,
    bool Indexed,
    string? Refusal) : IRetentionCensus
{
    string IRetentionCensus.Field => Policy.Column;

    int IRetentionCensus.Days => Policy.Days;

    /// <summary>How the column is compared with the cutoff; null when the table was refused before its column was known.</summary>
    public RetentionCutoff? Comparison { get; init; }

    /// <summary>What deleting the rows reaches beyond the table: cascading foreign keys, triggers, rules.</summary>
    public PurgeReach Reach { get; init; } = PurgeReach.None;

    public string Display => Table?.Display ?? Policy.Table;

    public string CutoffText => Comparison?.Compared ?? RetentionGuard.Format(Cutoff);

    public double Share => RetentionGuard.Share(Older, Rows);

    public Dictionary<string, object?> ToOutput() => new(StringComparer.Ordinal)
    {
        ["table"] = Policy.Table,
        ["qualified_name"] = Table?.Display,
        ["column"] = Policy.Column,
        ["column_type"] = ColumnType,
        ["days"] = Policy.Days,
        ["cutoff"] = RetentionGuard.Format(Cutoff),
        ["rows"] = Rows,
        ["rows_to_delete"] = Refusal is null ? Older : 0L,
        ["rows_older"] = Older,
        ["share"] = Math.Round(Share, 4),
        ["refused"] = Refusal,
        ["cutoff_compared"] = Comparison?.Compared,
        ["time_zone"] = Comparison is { IsInstant: false } ? Comparison.TimeZone : null,
        ["allow_cascade"] = Policy.AllowCascade,
        ["cascades"] = Reach.Keys.Select(k => (object?)k.ToOutput()).ToList(),
        ["triggers"] = Reach.Hooks.Select(h => (object?)h.ToOutput()).ToList(),
    };
}

/// <summary>
/// Checks and counts every table of a retention policy in one snapshot. The dry run prints this
/// and the real run deletes from it, so both use the same code: the plan's counts are exactly what
/// the run deletes (unless the application changes rows in between).
/// </summary>
internal static class PostgresRetentionCensus
{
    private static readonly string[] DateTypes = ["date", "timestamp without time zone", "timestamp with time zone"];

    private const string ColumnSql = """
        SELECT a.attnum, format_type(a.atttypid, a.atttypmod), format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END, NULL)
        FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
        WHERE a.attrelid = @oid AND a.attname = @column AND a.attnum > 0 AND NOT a.attisdropped
        """;

    private const string DateColumnsSql = """
        SELECT coalesce(string_agg(a.attname, ', ' ORDER BY a.attnum), '')
        FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
        WHERE a.attrelid = @oid AND a.attnum > 0 AND NOT a.attisdropped
          AND format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END, NULL) IN ('date', 'timestamp without time zone', 'timestamp with time zone')
        """;

    private const string LeavesSql = """
        SELECT c.oid, n.nspname, c.relname, c.relkind
        FROM pg_partition_tree(@oid) p JOIN pg_class c ON c.oid = p.relid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE p.isleaf ORDER BY 2, 3
        """;

    public static async Task<IReadOnlyList<TableCensus>> TakeAsync(NpgsqlConnection connection, PostgresRetentionOptions options, DateTimeOffset runStarted, CancellationToken cancellationToken)
    {
        var census = new List<TableCensus>();
        var zone = await TimeZoneAsync(connection, options.TimeZone, cancellationToken);
        await using var snapshot = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await PostgresMaintenance.ExecuteAsync(connection, "SET TRANSACTION READ ONLY", cancellationToken);
        foreach (var policy in options.Tables)
        {
            census.Add(await CountAsync(connection, policy, RetentionGuard.Cutoff(runStarted, policy.Days), zone, options.MaxDeleteShare, cancellationToken));
        }

        await snapshot.CommitAsync(cancellationToken);
        return census;
    }

    /// <summary>
    /// The zone timestamp and date columns are read in: the time_zone option, checked by the server,
    /// or the session's TimeZone (the server's setting, or the database's or role's own).
    /// </summary>
    private static async Task<(string Name, bool FromServer)> TimeZoneAsync(NpgsqlConnection connection, string? option, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(option))
        {
            return (await PostgresMaintenance.ScalarAsync<string>(connection, "SELECT current_setting('TimeZone')", cancellationToken), true);
        }

        try
        {
            await PostgresMaintenance.ScalarAsync<DateTime>(connection, "SELECT now() AT TIME ZONE @zone", cancellationToken, ("zone", option.Trim()));
            return (option.Trim(), false);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidParameterValue)
        {
            throw new StepFailedException($"time_zone '{option}' is not a time zone the server knows ({ex.MessageText}); use a name from pg_timezone_names such as Europe/Berlin or UTC");
        }
    }

    private static async Task<RetentionCutoff> ComparisonAsync(NpgsqlConnection connection, string baseType, DateTimeOffset cutoff, (string Name, bool FromServer) zone, CancellationToken cancellationToken)
    {
        if (baseType == RetentionCutoff.Timestamptz)
        {
            return new RetentionCutoff(cutoff, baseType, null, false, cutoff.UtcDateTime);
        }

        // The server's own zone rules turn the instant into that zone's wall-clock time.
        var wallClock = await PostgresMaintenance.ScalarAsync<DateTime>(connection, "SELECT @instant AT TIME ZONE @zone", cancellationToken, ("instant", cutoff.UtcDateTime), ("zone", zone.Name));
        return new RetentionCutoff(cutoff, baseType, zone.Name, zone.FromServer, wallClock);
    }

    private static async Task<TableCensus> CountAsync(NpgsqlConnection connection, PostgresRetentionTable policy, DateTimeOffset cutoff, (string Name, bool FromServer) zone, double maxShare, CancellationToken cancellationToken)
    {
        TableCensus Refuse(string why, ResolvedTable? table = null, string? type = null) => new(policy, table, type, cutoff, 0, 0, [], false, why);

        var table = await TableNames.FindAsync(connection, policy.Table, cancellationToken);
        if (table is null)
        {
            return Refuse($"table '{policy.Table}' does not exist in database {connection.Database} (check the name; schema-qualify it when it is not on the search_path)");
        }

        if (table.Kind is not ('r' or 'p'))
        {
            return Refuse($"'{policy.Table}' is {KindName(table.Kind)}, not a table", table);
        }

        await using var column = new NpgsqlCommand(ColumnSql, connection);
        PostgresMaintenance.AddParameter(column, "oid", table.Oid);
        column.Parameters.AddWithValue("column", policy.Column);
        short attnum;
        string type;
        string baseType;
        await using (var reader = await column.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                await reader.DisposeAsync();
                return Refuse($"{table.Display} has no column '{policy.Column}' (its date/time columns: {await DateColumnsAsync(connection, table, cancellationToken)})", table);
            }

            attnum = reader.GetInt16(0);
            type = reader.GetString(1);
            baseType = reader.GetString(2);
        }

        if (!DateTypes.Contains(baseType, StringComparer.Ordinal))
        {
            return Refuse($"{table.Display}.{policy.Column} is {type}, not a date/time type (date, timestamp, timestamptz); its date/time columns: {await DateColumnsAsync(connection, table, cancellationToken)}", table, type);
        }

        var only = table.Kind == 'r' ? "ONLY " : string.Empty;
        var quotedColumn = TableInventory.Quote(policy.Column);
        var comparison = await ComparisonAsync(connection, baseType, cutoff, zone, cancellationToken);
        await using var count = new NpgsqlCommand($"SELECT count(*), count(*) FILTER (WHERE {RetentionCutoff.Predicate(quotedColumn)}) FROM {only}{table.Sql}", connection) { CommandTimeout = 0 };
        comparison.Bind(count);
        long rows;
        long older;
        await using (var reader = await count.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            rows = reader.GetInt64(0);
            older = reader.GetInt64(1);
        }

        var leaves = table.Kind == 'r' ? [table] : await LeavesAsync(connection, table, cancellationToken);
        var indexed = await PostgresMaintenance.ScalarAsync<bool>(connection, "SELECT EXISTS (SELECT 1 FROM pg_index WHERE indrelid = @oid AND indkey[0] = @attnum)", cancellationToken, ("oid", table.Oid), ("attnum", attnum));
        var reach = await PurgeReachSurvey.TakeAsync(connection, table, quotedColumn, comparison, cancellationToken);
        var refusals = new[] { RetentionGuard.Check(table.Display, policy.Column, policy.Days, older, rows, maxShare, policy.AllowLargeDelete), reach.Refusal(table.Display, policy.AllowCascade) };
        var refusal = refusals.Any(r => r is not null) ? string.Join("; ", refusals.OfType<string>()) : null;
        return new TableCensus(policy, table, type, cutoff, rows, older, leaves, indexed, refusal) { Comparison = comparison, Reach = reach };
    }

    /// <summary>The leaf partitions of a partitioned table, where its rows (and statistics) are.</summary>
    internal static async Task<IReadOnlyList<ResolvedTable>> LeavesAsync(NpgsqlConnection connection, ResolvedTable table, CancellationToken cancellationToken)
    {
        var leaves = new List<ResolvedTable>();
        await using var command = new NpgsqlCommand(LeavesSql, connection);
        PostgresMaintenance.AddParameter(command, "oid", table.Oid);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            leaves.Add(new ResolvedTable(reader.GetFieldValue<uint>(0), reader.GetString(1), reader.GetString(2), reader.GetChar(3)));
        }

        return leaves;
    }

    private static async Task<string> DateColumnsAsync(NpgsqlConnection connection, ResolvedTable table, CancellationToken cancellationToken)
    {
        var columns = await PostgresMaintenance.ScalarAsync<string>(connection, DateColumnsSql, cancellationToken, ("oid", table.Oid));
        return columns.Length == 0 ? "none" : columns;
    }

    private static string KindName(char kind) => kind switch
    {
        'v' => "a view",
        'm' => "a materialized view",
        'f' => "a foreign table",
        'i' or 'I' => "an index",
        'S' => "a sequence",
        _ => string.Create(CultureInfo.InvariantCulture, $"a relation of kind '{kind}'"),
    };
}
