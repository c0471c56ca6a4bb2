using ExcelMedical.DbRunbook.Testing.Postgres;
using ExcelMedical.DbRunbook.Testing.Support;
using Npgsql;
using Xunit;

namespace ExcelMedical.DbRunbook.Testing.Tests.Postgres;

public sealed class SampleDataTests
{
    private static readonly DateTimeOffset Reference = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Scale_1_fills_every_table_with_the_expected_row_count()
    {
        var server = await PostgresServer.Shared;
        var database = await server.CreateDatabaseAsync("sample_counts");

        var load = await SampleData.LoadAsync(server.ConnectionString(database), scale: 1, Reference);

        Assert.Equal(SampleData.Tables.Count, load.ExpectedRowCounts.Count);
        foreach (var (table, expected) in load.ExpectedRowCounts)
        {
            Assert.Equal((table, expected), (table, await CountAsync(server.ConnectionString(database), table)));
        }

        Assert.InRange(load.ExpectedRowCounts["page_views"], 1000, 20000);
        await server.DropDatabaseAsync(database);
    }

    [Fact]
    public async Task Log_tables_span_the_two_years_before_the_reference_time()
    {
        var server = await PostgresServer.Shared;
        var database = await server.CreateDatabaseAsync("sample_span");
        var load = await SampleData.LoadAsync(server.ConnectionString(database), scale: 1, Reference);

        foreach (var (table, column) in SampleData.LogTables)
        {
            var (oldest, newest) = await RangeAsync(server.ConnectionString(database), table, column);

            Assert.Equal((table, Reference.AddDays(-730)), (table, oldest));
            Assert.Equal(load.OldestLogTime, oldest);
            Assert.True(newest < Reference, $"{table}: newest {newest:O} is not before the reference time");
            Assert.True(newest > Reference.AddDays(-1), $"{table}: newest {newest:O} is more than a day old");
        }

        await server.DropDatabaseAsync(database);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(30)]
    [InlineData(90)]
    [InlineData(365)]
    [InlineData(729)]
    [InlineData(730)]
    public async Task Rows_older_than_an_age_match_the_helper(int days)
    {
        var server = await PostgresServer.Shared;
        var database = await server.CreateDatabaseAsync("sample_age");
        var load = await SampleData.LoadAsync(server.ConnectionString(database), scale: 1, Reference);

        foreach (var table in SampleData.LogTables.Keys)
        {
            var actual = await ScalarAsync<long>(
                server.ConnectionString(database),
                $"SELECT count(*) FROM {table} WHERE created_at < @cutoff",
                Reference.AddDays(-days));
            Assert.Equal((table, load.LogRowsOlderThan(table, TimeSpan.FromDays(days))), (table, actual));
        }

        await server.DropDatabaseAsync(database);
    }

    [Fact]
    public async Task Two_loads_with_the_same_scale_and_reference_time_are_identical()
    {
        var server = await PostgresServer.Shared;
        var first = await server.CreateDatabaseAsync("sample_same_a");
        var second = await server.CreateDatabaseAsync("sample_same_b");
        await SampleData.LoadAsync(server.ConnectionString(first), scale: 2, Reference);
        await SampleData.LoadAsync(server.ConnectionString(second), scale: 2, Reference);

        foreach (var table in SampleData.Tables)
        {
            var sql = $"SELECT md5(string_agg(t::text, E'\\n' ORDER BY t.id)) FROM {table} AS t";
            Assert.Equal(
                (table, await ScalarAsync<string>(server.ConnectionString(first), sql)),
                (table, await ScalarAsync<string>(server.ConnectionString(second), sql)));
        }

        await server.DropDatabaseAsync(first);
        await server.DropDatabaseAsync(second);
    }

    [Fact]
    public async Task Reloading_replaces_the_rows_and_leaves_sequences_past_the_data()
    {
        var server = await PostgresServer.Shared;
        var database = await server.CreateDatabaseAsync("sample_reload");
        await SampleData.LoadAsync(server.ConnectionString(database), scale: 2, Reference);

        await SampleData.LoadAsync(server.ConnectionString(database), scale: 1, Reference);

        Assert.Equal(12000L, await CountAsync(server.ConnectionString(database), "page_views"));
        var nextId = await ScalarAsync<long>(
            server.ConnectionString(database),
            "INSERT INTO audit_logs (created_at, action, entity_type, details) VALUES (now(), 'test', 'test', '{}') RETURNING id");
        Assert.Equal(5001L, nextId);
        await server.DropDatabaseAsync(database);
    }

    [Fact]
    public async Task The_script_loads_with_psql_as_the_shell_demo_does()
    {
        var server = await PostgresServer.Shared;
        var database = await server.CreateDatabaseAsync("sample_psql");

        var result = await ProcessRunner.RunAsync(
            server.Binaries.Psql,
            ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", SampleData.ScriptPath, "-c", "SELECT load_excel_medical_sample(1, now())"],
            server.ClientEnvironment(database));

        result.EnsureSuccess();
        Assert.Equal(5000L, await CountAsync(server.ConnectionString(database), "audit_logs"));
        await server.DropDatabaseAsync(database);
    }

    private static Task<long> CountAsync(string connectionString, string table) =>
        ScalarAsync<long>(connectionString, $"SELECT count(*) FROM {table}");

    private static async Task<(DateTimeOffset Oldest, DateTimeOffset Newest)> RangeAsync(string connectionString, string table, string column)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT min({column}), max({column}) FROM {table}", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetFieldValue<DateTimeOffset>(0), reader.GetFieldValue<DateTimeOffset>(1));
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql, DateTimeOffset? cutoff = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        if (cutoff is { } value)
        {
            command.Parameters.AddWithValue("cutoff", value);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }
}
