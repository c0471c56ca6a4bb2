using ExcelMedical.DbRunbook.Testing.Support;
using Npgsql;

namespace ExcelMedical.DbRunbook.Testing.Postgres;

/// <summary>
/// The staffing platform's sample database (samples/excel_medical_sample.sql): schema plus a
/// deterministic generator whose size grows linearly with a scale (scale 1 ≈ 38,000 rows, ~8 MB;
/// each further unit adds about 7.7 MB, so ~1 GB is scale 130).
/// </summary>
public static class SampleData
{
    /// <summary>How far back the log tables reach from the reference time.</summary>
    public static readonly TimeSpan LogHistory = TimeSpan.FromDays(730);

    /// <summary>Rows per unit of scale, table by table; must match the loader in the SQL file.</summary>
    private static readonly (string Table, long RowsPerScale)[] Sizes =
    [
        ("facilities", 25),
        ("users", 620),
        ("recruiters", 15),
        ("candidates", 600),
        ("jobs", 300),
        ("applications", 1500),
        ("audit_logs", 5000),
        ("application_logs", 6000),
        ("page_views", 12000),
        ("job_views", 8000),
        ("user_searches", 4000),
    ];

    /// <summary>The file both this fixture and the shell demo (psql -f) load.</summary>
    public static string ScriptPath => RepositoryRoot.Combine("samples", "excel_medical_sample.sql");

    /// <summary>Every sample table, parents before children.</summary>
    public static IReadOnlyList<string> Tables { get; } = [.. Sizes.Select(size => size.Table)];

    /// <summary>The append-only log tables and the timestamp column retention purges by.</summary>
    public static IReadOnlyDictionary<string, string> LogTables { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["audit_logs"] = "created_at",
        ["application_logs"] = "created_at",
        ["page_views"] = "created_at",
        ["job_views"] = "created_at",
        ["user_searches"] = "created_at",
    };

    /// <summary>
    /// Creates the schema (if missing) in the database of <paramref name="connectionString"/> and fills
    /// it, replacing earlier sample rows. Without a reference time the current time, to the second, is used.
    /// </summary>
    public static async Task<SampleLoad> LoadAsync(
        string connectionString, int scale = 1, DateTimeOffset? referenceTime = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        var reference = referenceTime ?? WholeSeconds(TimeProvider.System.GetUtcNow());
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await CreateSchemaAsync(connection, cancellationToken);
        await using var load = new NpgsqlCommand("SELECT load_excel_medical_sample(@scale, @reference_time)", connection)
        {
            // Large scales (benchmarks) take minutes.
            CommandTimeout = 0,
        };
        load.Parameters.AddWithValue("scale", scale);
        load.Parameters.AddWithValue("reference_time", reference.ToUniversalTime());
        await load.ExecuteNonQueryAsync(cancellationToken);
        return new SampleLoad(scale, reference);
    }

    /// <summary>Creates the tables, indexes and loader function only (no rows).</summary>
    public static async Task CreateSchemaAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await CreateSchemaAsync(connection, cancellationToken);
    }

    /// <summary>The rows each table holds after a load at <paramref name="scale"/>.</summary>
    public static IReadOnlyDictionary<string, long> ExpectedRowCounts(int scale)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        return Sizes.ToDictionary(size => size.Table, size => size.RowsPerScale * scale, StringComparer.Ordinal);
    }

    /// <summary>
    /// How many rows of log table <paramref name="table"/> have created_at &lt; reference time − <paramref name="age"/>,
    /// i.e. what a purge of rows older than <paramref name="age"/> deletes when it runs at the reference time.
    /// </summary>
    public static long LogRowsOlderThan(string table, int scale, TimeSpan age)
    {
        if (!LogTables.ContainsKey(table))
        {
            throw new ArgumentException($"{table} is not a log table; log tables: {string.Join(", ", LogTables.Keys)}", nameof(table));
        }

        // Row i of n is floor((n - i + 1) * H / n) seconds old (H = history in seconds); the age grows with
        // k = n - i + 1, so the rows older than A seconds are those with k >= ceil((floor(A) + 1) * n / H).
        var rows = ExpectedRowCounts(scale)[table];
        var history = (long)LogHistory.TotalSeconds;
        if (age < TimeSpan.Zero)
        {
            return rows;
        }

        var threshold = (long)Math.Floor(age.TotalSeconds) + 1;
        var firstOlder = Math.Max(1, ((threshold * rows) + history - 1) / history);
        return Math.Max(0, rows - firstOlder + 1);
    }

    private static async Task CreateSchemaAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (!File.Exists(ScriptPath))
        {
            throw new FileNotFoundException($"the sample data script is missing: {ScriptPath}", ScriptPath);
        }

        var script = await File.ReadAllTextAsync(ScriptPath, cancellationToken);
        await using var command = new NpgsqlCommand(script, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DateTimeOffset WholeSeconds(DateTimeOffset time) =>
        new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), time.Offset);
}
