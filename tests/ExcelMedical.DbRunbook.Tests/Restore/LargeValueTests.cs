using System.Globalization;
using ExcelMedical.DbRunbook.Tests.Maintenance;
using ExcelMedical.DbRunbook.Tests.Support;
using Xunit.Abstractions;

namespace ExcelMedical.DbRunbook.Tests.Restore;

/// <summary>
/// A table with a 100 MB bytea value: in pg_restore's script its row is one 200 MB line of hex.
/// The real runbook process verifies and restores the dump, and its peak resident memory must stay
/// within the product's bound.
/// </summary>
public sealed class LargeValueTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>The memory bound of the runbook process (README, "Measured").</summary>
    private const long MemoryBound = 200L * 1024 * 1024;

    private const int ValueBytes = 100 * 1024 * 1024;

    private readonly TempDirectory _dir = new();
    private readonly List<string> _restored = [];
    private FreshDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await FreshDatabase.CreateAsync("largevalue");
        await _database.ExecuteAsync($"""
            CREATE TABLE attachments (id int PRIMARY KEY, name text NOT NULL, content bytea NOT NULL);
            INSERT INTO attachments VALUES (1, 'small', '\x0102');
            INSERT INTO attachments SELECT 2, 'scan.pdf', convert_to(repeat('0123456789abcdef', {ValueBytes / 16}), 'UTF8');
            INSERT INTO attachments VALUES (3, 'after', '\x03');
            """);
    }

    public async Task DisposeAsync()
    {
        foreach (var name in _restored)
        {
            await _database.Server.DropDatabaseAsync(name);
        }

        await _database.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Verifying_and_restoring_a_table_with_a_100_MB_bytea_row_stays_within_200_MB()
    {
        var environment = new Dictionary<string, string>(_database.GuideEnvironment(), StringComparer.Ordinal)
        {
            ["ROOT"] = _dir["backups"],
            ["RUNBOOK_STATE_DIR"] = _dir["state"],
        };
        var dump = _dir["backups/2026-11-25/postgres_20261125_020000.sql.gz"];
        var backup = _dir.Write("backup.yaml", $$"""
            name: backup
            {{FreshDatabase.Connections}}
            steps:
              - id: pg_dump
                uses: postgres.dump
                with: { file: "{{dump}}" }
            """);
        var dumped = await new RunbookCliHarness(_dir["state"], environment).RunAsync("run", backup);
        Assert.True(dumped.ExitCode == 0, dumped.All);

        var target = _database.Name + "_restored";
        _restored.Add(target);
        var check = _dir.Write("check.yaml", $$"""
            name: check
            {{FreshDatabase.Connections}}
            steps:
              - id: pg_verify
                uses: postgres.verify
                with: { file: "{{dump}}", report: "{{_dir["verify.txt"]}}" }
              - id: restore
                uses: postgres.restore
                with: { file: "{{dump}}", target: {{target}} }
            """);

        var run = await MeasuredRun.RunAsync(["run", check], environment, _dir.Path);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"runbook verify + restore of a 100 MB bytea row: peak resident memory {run.PeakResidentBytes / (1024.0 * 1024):0.0} MB"));

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("public.attachments", File.ReadAllText(_dir["verify.txt"]));
        var record = RunRecords.Latest(_dir["state"], "check");
        Assert.Equal(3, record.Step("pg_verify").GetProperty("outputs").GetProperty("table_rows").GetProperty("public.attachments").GetInt64());
        var restored = _database.Server.ConnectionString(target);
        Assert.Equal(
            await _database.ScalarAsync<string>("SELECT string_agg(id || ':' || octet_length(content) || ':' || md5(content), ',' ORDER BY id) FROM attachments"),
            await ScalarAsync(restored, "SELECT string_agg(id || ':' || octet_length(content) || ':' || md5(content), ',' ORDER BY id) FROM attachments"));
        Assert.True(
            run.PeakResidentBytes is > 0 and < MemoryBound,
            string.Create(CultureInfo.InvariantCulture, $"runbook's peak resident memory was {run.PeakResidentBytes / (1024 * 1024)} MB, over the {MemoryBound / (1024 * 1024)} MB bound"));
    }

    private static async Task<string> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
