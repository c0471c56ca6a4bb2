using System.Text.Json;
using System.Text.RegularExpressions;
using ExcelMedical.DbRunbook.Tests.Maintenance;
using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Restore;

/// <summary>
/// Tables and schemas whose names hold spaces, quotes, dots, a newline and non-ASCII letters,
/// backed up, verified, restored and drilled end to end; names with a newline are printed escaped.
/// </summary>
public sealed class OddNamesTests : IAsyncLifetime
{
    /// <summary>Each table as "schema.table" (the form of the run records) with its rows.</summary>
    private static readonly Dictionary<string, long> Tables = new(StringComparer.Ordinal)
    {
        ["public.my table"] = 3,
        ["public.quo\"te"] = 4,
        ["public.new\nline"] = 5,
        ["public.Ärzte"] = 6,
        ["Odd Schema.a.b c"] = 7,
        ["Odd Schema.empty one"] = 0,
    };

    private readonly TempDirectory _dir = new();
    private readonly List<string> _restored = [];
    private FreshDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await FreshDatabase.CreateAsync("oddnames");
        await _database.ExecuteAsync("""
            CREATE SCHEMA "Odd Schema";
            CREATE TABLE "my table" (id int PRIMARY KEY, "the value" text);
            CREATE TABLE "quo""te" (id int PRIMARY KEY, "a ""quoted"" column" text);
            CREATE TABLE "new
            line" (id int PRIMARY KEY, note text);
            CREATE TABLE "Ärzte" (id int PRIMARY KEY, "Straße" text);
            CREATE TABLE "Odd Schema"."a.b c" (id int PRIMARY KEY);
            CREATE TABLE "Odd Schema"."empty one" (id int);
            INSERT INTO "my table" SELECT i, 'v ' || i FROM generate_series(1, 3) i;
            INSERT INTO "quo""te" SELECT i, 'q"' || i FROM generate_series(1, 4) i;
            INSERT INTO "new
            line" SELECT i, E'multi\nline ' || i FROM generate_series(1, 5) i;
            INSERT INTO "Ärzte" SELECT i, 'Hauptstraße ' || i FROM generate_series(1, 6) i;
            INSERT INTO "Odd Schema"."a.b c" SELECT i FROM generate_series(1, 7) i;
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

    private RunbookCliHarness Cli()
    {
        var environment = _database.GuideEnvironment();
        environment["ROOT"] = _dir["backups"];
        return new RunbookCliHarness(_dir["state"], environment);
    }

    /// <summary>Every line a log writes starts with its time stamp: a raw newline in a name would start a line without one.</summary>
    private static void AssertEveryLineIsALogLine(string log)
    {
        foreach (var line in log.Split('\n').Where(l => l.Length > 0))
        {
            Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", line);
        }
    }

    [Fact]
    public async Task Tables_with_spaces_quotes_dots_newlines_and_umlauts_verify_restore_and_drill()
    {
        var target = _database.Name + "_restored";
        _restored.Add(target);
        var backup = _dir.Write("backup.yaml", $$$"""
            name: backup
            log: "{{ env.ROOT }}/backup.log"
            {{{FreshDatabase.Connections}}}
            steps:
              - id: pg_dump
                uses: postgres.dump
                with: { file: "{{ env.ROOT }}/2026-11-25/postgres_20261125_020000.sql.gz", table_checksums: true }
              - id: pg_verify
                uses: postgres.verify
                with:
                  file: "{{ steps.pg_dump.outputs.file }}"
                  dump_step: pg_dump
                  report: "{{ env.ROOT }}/2026-11-25/verification/postgres_backup_verify.txt"
            """);
        var restore = _dir.Write("restore.yaml", $$$"""
            name: restore
            log: "{{ env.ROOT }}/restore.log"
            {{{FreshDatabase.Connections}}}
            steps:
              - id: restore
                uses: postgres.restore
                with: { file: "{{ env.ROOT }}/2026-11-25/postgres_20261125_020000.sql.gz", target: {{{target}}}, table_checksums: true }
              - id: drill
                uses: restore.drill
                with: { report: "{{ env.ROOT }}/drill.txt" }
            """);

        var backedUp = await Cli().RunAsync("run", backup);
        var restored = await Cli().RunAsync("run", restore);

        Assert.True(backedUp.ExitCode == 0, backedUp.All);
        var verified = RunRecords.Latest(_dir["state"], "backup").Step("pg_verify").GetProperty("outputs").GetProperty("table_rows");
        Assert.Equal(Tables, verified.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal));

        Assert.True(restored.ExitCode == 0, restored.All);
        var record = RunRecords.Latest(_dir["state"], "restore");
        var restoredRows = record.Step("restore").GetProperty("outputs").GetProperty("table_rows");
        Assert.Equal(Tables, restoredRows.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal));
        var verdicts = record.Step("drill").GetProperty("outputs").GetProperty("verdicts");
        Assert.Equal(Tables.Keys.Order(StringComparer.Ordinal), verdicts.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(verdicts.EnumerateObject(), verdict => Assert.Equal(JsonValueKind.String, verdict.Value.ValueKind));
        Assert.All(verdicts.EnumerateObject(), verdict => Assert.StartsWith("OK", verdict.Value.GetString(), StringComparison.Ordinal));

        // The name with a newline is written escaped, never raw, in logs and reports.
        var report = File.ReadAllText(_dir["backups/2026-11-25/verification/postgres_backup_verify.txt"]);
        Assert.Contains(@"public.new\nline", report);
        Assert.Contains("Odd Schema.a.b c", report);
        Assert.Contains("public.Ärzte", report);
        Assert.DoesNotContain("new\nline", report);
        var drill = File.ReadAllText(_dir["backups/drill.txt"]);
        Assert.Contains(@"public.new\nline", drill);
        Assert.DoesNotContain("new\nline", drill);
        var log = File.ReadAllText(_dir["backups/restore.log"]);
        Assert.Contains(@"table public.new\nline: OK", log);
        AssertEveryLineIsALogLine(log);
        AssertEveryLineIsALogLine(File.ReadAllText(_dir["backups/backup.log"]));
        Assert.DoesNotMatch(new Regex("has no data in the dump"), backedUp.All);
    }
}
