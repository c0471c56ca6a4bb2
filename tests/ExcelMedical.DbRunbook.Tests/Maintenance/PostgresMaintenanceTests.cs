using System.Diagnostics;
using System.Text.Json;
using ExcelMedical.DbRunbook.Tests.Support;
using Npgsql;

namespace ExcelMedical.DbRunbook.Tests.Maintenance;

/// <summary>
/// postgres.vacuum, postgres.analyze, postgres.reindex, postgres.vacuum_full and
/// postgres.unused_indexes against the real server, each test in a database of its own.
/// </summary>
public sealed class PostgresMaintenanceTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly List<FreshDatabase> _databases = [];
    private int _runs;

    /// <summary>Each run gets its own state folder: two runs within a second would otherwise sort at random.</summary>
    private string State => _dir[$"state{_runs}"];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }

        _dir.Dispose();
    }

    private async Task<FreshDatabase> SampleAsync() => Track(await FreshDatabase.WithSampleDataAsync(ReferenceClock.Sunday, "maint"));

    private async Task<FreshDatabase> EmptyAsync() => Track(await FreshDatabase.CreateAsync("bloat"));

    private FreshDatabase Track(FreshDatabase database)
    {
        _databases.Add(database);
        return database;
    }

    private async Task<CliResult> RunAsync(FreshDatabase database, string uses, string with, params string[] extra)
    {
        var playbook = _dir.Write("maint.yaml", $$"""
            name: maint
            {{FreshDatabase.Connections}}
            steps:
              - id: op
                uses: {{uses}}
                with:
            {{with}}
            """);
        _runs++;
        return await new RunbookCliHarness(State, database.GuideEnvironment()).RunAsync(["run", playbook, .. extra], CancellationToken.None);
    }

    private JsonElement Outputs() => RunRecords.Latest(State, "maint").Step("op").GetProperty("outputs");

    /// <summary>A table of ~200,000 rows of which 90% are deleted evenly, so plain VACUUM cannot give the space back.</summary>
    private static async Task MakeBloatedAsync(FreshDatabase database, string table)
    {
        await database.ExecuteAsync($"""
            CREATE TABLE {table} (id bigint PRIMARY KEY, payload text NOT NULL);
            INSERT INTO {table} SELECT g, repeat('x', 60) || g FROM generate_series(1, 200000) g;
            DELETE FROM {table} WHERE id % 10 <> 0;
            """);
        await database.ExecuteAsync($"VACUUM (ANALYZE) {table}");
    }

    private static Task<long> SizeAsync(FreshDatabase database, string table) => database.ScalarAsync<long>($"SELECT pg_relation_size('{table}')");

    [Fact]
    public async Task Vacuum_full_shrinks_a_bloated_table_and_leaves_healthy_ones_alone()
    {
        var database = await EmptyAsync();
        await MakeBloatedAsync(database, "bloated");
        await database.ExecuteAsync("CREATE TABLE healthy AS SELECT g AS id, repeat('y', 60) AS payload FROM generate_series(1, 100000) g; ANALYZE healthy;");
        var bloatedBefore = await SizeAsync(database, "bloated");
        var healthyFile = await database.ScalarAsync<uint>("SELECT relfilenode FROM pg_class WHERE relname = 'healthy'");

        var result = await RunAsync(database, "postgres.vacuum_full", "      lock_timeout: 2s");

        Assert.True(result.ExitCode == 0, result.All);
        var bloatedAfter = await SizeAsync(database, "bloated");
        Assert.True(bloatedAfter < bloatedBefore / 5, $"bloated: {bloatedBefore} -> {bloatedAfter} bytes");
        Assert.Equal(healthyFile, await database.ScalarAsync<uint>("SELECT relfilenode FROM pg_class WHERE relname = 'healthy'"));
        Assert.Equal(20000, await database.ScalarAsync<long>("SELECT count(*) FROM bloated"));
        var outputs = Outputs();
        Assert.Equal([$"{database.Name}:public.bloated"], outputs.GetProperty("repaired").EnumerateArray().Select(e => e.GetString()));
        var operation = outputs.GetProperty("operations").EnumerateArray().Single();
        Assert.Equal("done", operation.GetProperty("status").GetString());
        Assert.True(operation.GetProperty("size_after_bytes").GetInt64() < operation.GetProperty("size_before_bytes").GetInt64() / 3);
    }

    [Fact]
    public async Task A_table_locked_by_another_session_is_skipped_within_lock_timeout_and_the_next_one_is_still_shrunk()
    {
        var database = await EmptyAsync();
        await MakeBloatedAsync(database, "a_in_use");
        await MakeBloatedAsync(database, "b_idle");
        var inUseBefore = await SizeAsync(database, "a_in_use");
        var idleBefore = await SizeAsync(database, "b_idle");

        // Another session reads a_in_use inside a long transaction.
        await using var other = new NpgsqlConnection(database.ConnectionString);
        await other.OpenAsync();
        await using var transaction = await other.BeginTransactionAsync();
        await using (var lockCommand = new NpgsqlCommand("LOCK TABLE a_in_use IN ACCESS SHARE MODE", other, transaction))
        {
            await lockCommand.ExecuteNonQueryAsync();
        }

        var clock = Stopwatch.StartNew();
        var result = await RunAsync(database, "postgres.vacuum_full", "      lock_timeout: 1s");
        clock.Stop();

        Assert.True(result.ExitCode == 0, result.All);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        var skipped = Assert.Single(Outputs().GetProperty("skipped").EnumerateArray());
        Assert.Equal($"{database.Name}:public.a_in_use", skipped.GetProperty("table").GetString());
        Assert.StartsWith("lock not granted: no ACCESS EXCLUSIVE lock within lock_timeout 1s", skipped.GetProperty("reason").GetString());

        // A flagged table left as it was is something for a human: the run ends warning and names it.
        var record = RunRecords.Latest(State, "maint");
        Assert.Equal("warning", record.GetProperty("status").GetString());
        Assert.Contains($"left 1 bloated table(s) as they were, so their bloat alerts go on: {database.Name}:public.a_in_use (", record.Step("op").GetProperty("warnings")[0].GetString());
        Assert.Equal([$"{database.Name}:public.b_idle"], Outputs().GetProperty("repaired").EnumerateArray().Select(e => e.GetString()));
        Assert.True(await SizeAsync(database, "b_idle") < idleBefore / 5);
        await transaction.RollbackAsync();
        Assert.Equal(inUseBefore, await SizeAsync(database, "a_in_use"));
    }

    [Fact]
    public async Task A_table_is_not_rewritten_when_the_free_disk_of_the_server_cannot_be_checked()
    {
        var database = await EmptyAsync();
        await MakeBloatedAsync(database, "bloated");
        var before = await SizeAsync(database, "bloated");

        var result = await RunAsync(database, "postgres.vacuum_full", "      data_directory: /nonexistent/pgdata");

        Assert.True(result.ExitCode == 0, result.All);
        var skipped = Assert.Single(Outputs().GetProperty("skipped").EnumerateArray());
        Assert.Contains("free disk on the server cannot be checked (data_directory /nonexistent/pgdata does not exist on this machine)", skipped.GetProperty("reason").GetString());
        Assert.Equal(before, await SizeAsync(database, "bloated"));
    }

    [Fact]
    public async Task The_vacuum_full_dry_run_names_the_bloated_table_and_rewrites_nothing()
    {
        var database = await EmptyAsync();
        await MakeBloatedAsync(database, "bloated");
        var before = await SizeAsync(database, "bloated");

        var result = await RunAsync(database, "postgres.vacuum_full", "      lock_timeout: 2s", "--dry-run");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains($"would rewrite {database.Name}:public.bloated: ", result.Output);
        Assert.Contains("with VACUUM (FULL, ANALYZE); ", result.Output);
        Assert.Matches(@"8\d\.\d% wasted|9\d\.\d% wasted", result.Output);
        Assert.Equal(before, await SizeAsync(database, "bloated"));
    }

    [Fact]
    public async Task Method_pg_repack_without_pg_repack_installed_leaves_the_table_named_with_what_to_install()
    {
        var database = await EmptyAsync();
        await MakeBloatedAsync(database, "bloated");
        var before = await SizeAsync(database, "bloated");

        var result = await RunAsync(database, "postgres.vacuum_full", "      method: pg_repack\n      pg_repack: /nonexistent/pg_repack");

        Assert.True(result.ExitCode == 0, result.All);
        var skipped = Assert.Single(Outputs().GetProperty("skipped").EnumerateArray());
        Assert.StartsWith("pg_repack missing: pg_repack is not installed (Debian: apt-get install postgresql-<version>-repack", skipped.GetProperty("reason").GetString());
        Assert.Equal("warning", RunRecords.Latest(State, "maint").GetProperty("status").GetString());
        Assert.Equal(before, await SizeAsync(database, "bloated"));
    }

    [Fact]
    public async Task A_table_over_max_table_mb_is_left_named_and_a_table_under_the_threshold_is_not_touched()
    {
        var database = await EmptyAsync();
        await MakeBloatedAsync(database, "bloated");
        var before = await SizeAsync(database, "bloated");

        var result = await RunAsync(database, "postgres.vacuum_full", "      max_table_mb: 1\n      method: auto");

        Assert.True(result.ExitCode == 0, result.All);
        var skipped = Assert.Single(Outputs().GetProperty("skipped").EnumerateArray());
        Assert.StartsWith("over max_table_mb: ", skipped.GetProperty("reason").GetString());
        Assert.Contains("pg_repack, which would rebuild it online, is missing", skipped.GetProperty("reason").GetString());
        Assert.True(skipped.GetProperty("bloat_percent").GetDouble() > 80);
        Assert.Equal(before, await SizeAsync(database, "bloated"));
    }

    [Fact]
    public async Task Vacuum_as_a_database_owner_who_is_not_a_superuser_says_once_which_catalogs_it_passed_over()
    {
        var database = await EmptyAsync();
        var role = $"owner_{Guid.NewGuid():N}"[..20];
        await database.ExecuteAsync($"CREATE ROLE {role} LOGIN PASSWORD 'owner-pw-7' NOSUPERUSER; ALTER DATABASE {database.Name} OWNER TO {role}; GRANT CREATE ON SCHEMA public TO {role};");
        try
        {
            var environment = database.GuideEnvironment();
            environment["POSTGRES_USER"] = role;
            environment["POSTGRES_PASSWORD"] = "owner-pw-7";
            var playbook = _dir.Write("vacuum-owner.yaml", $$"""
                name: maint
                {{FreshDatabase.Connections}}
                steps:
                  - id: op
                    uses: postgres.vacuum
                """);
            _runs++;

            var result = await new RunbookCliHarness(State, environment).RunAsync("run", playbook);

            Assert.True(result.ExitCode == 0, result.All);
            Assert.DoesNotContain("skipping \"", result.Output);
            var line = Assert.Single(result.Output.Split('\n'), l => l.Contains("VACUUM (ANALYZE) skipped", StringComparison.Ordinal));
            Assert.Matches($@"{database.Name}: VACUUM \(ANALYZE\) skipped \d+ table\(s\) that {role} may not process \(only a superuser or their owner may\): pg_\w+", line);
            Assert.True(Outputs().GetProperty("skipped_count").GetInt32() >= 10);
            Assert.Equal("succeeded", RunRecords.Latest(State, "maint").GetProperty("status").GetString());
        }
        finally
        {
            await database.ExecuteAsync($"ALTER DATABASE {database.Name} OWNER TO {database.Server.User}; REASSIGN OWNED BY {role} TO {database.Server.User}; DROP OWNED BY {role}");
            await using var admin = new NpgsqlConnection(database.Server.ConnectionString("postgres"));
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP ROLE IF EXISTS {role}", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task An_unused_index_is_reported_and_still_exists_afterwards()
    {
        var database = await SampleAsync();
        await database.ExecuteAsync("CREATE INDEX page_views_referrer_idx ON page_views (referrer)");

        var result = await RunAsync(database, "postgres.unused_indexes", "      min_size_mb: 0");

        Assert.True(result.ExitCode == 0, result.All);
        var unused = Outputs().GetProperty("unused_indexes").EnumerateArray().ToList();
        var index = Assert.Single(unused, i => i.GetProperty("index").GetString() == "public.page_views_referrer_idx");
        Assert.Equal("public.page_views", index.GetProperty("table").GetString());
        Assert.Equal(0, index.GetProperty("index_scans").GetInt64());
        Assert.DoesNotContain(unused, i => i.GetProperty("index").GetString()!.EndsWith("_pkey", StringComparison.Ordinal));
        Assert.DoesNotContain(unused, i => i.GetProperty("index").GetString() == "public.users_email_key");
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_indexes WHERE indexname = 'page_views_referrer_idx'"));
        Assert.Contains("Nothing was dropped", result.Output);
    }

    [Fact]
    public async Task Reindex_concurrently_rebuilds_every_table_with_indexes_and_finds_no_invalid_index()
    {
        var database = await SampleAsync();
        var before = await database.ScalarAsync<long>("SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'");

        var result = await RunAsync(database, "postgres.reindex", "      mode: concurrently\n      lock_timeout: 10s");

        Assert.True(result.ExitCode == 0, result.All);
        var outputs = Outputs();
        Assert.Equal(11, outputs.GetProperty("reindexed").GetInt32());
        Assert.Empty(outputs.GetProperty("invalid_indexes").EnumerateArray());
        Assert.Equal(before, await database.ScalarAsync<long>("SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'"));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_index WHERE NOT indisvalid"));
    }

    [Fact]
    public async Task Reindex_database_as_the_guide_says_completes()
    {
        var database = await SampleAsync();
        var oldFile = await database.ScalarAsync<uint>("SELECT relfilenode FROM pg_class WHERE relname = 'audit_logs_created_at_idx'");

        var result = await RunAsync(database, "postgres.reindex", "      mode: database");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal("database", Outputs().GetProperty("mode").GetString());
        Assert.NotEqual(oldFile, await database.ScalarAsync<uint>("SELECT relfilenode FROM pg_class WHERE relname = 'audit_logs_created_at_idx'"));
    }

    [Fact]
    public async Task Reindex_reports_an_invalid_index_left_by_a_failed_concurrent_build_and_keeps_it()
    {
        var database = await SampleAsync();
        // job_id repeats, so a unique build fails and leaves an invalid index behind, as a crash would.
        await Assert.ThrowsAsync<PostgresException>(() => database.ExecuteAsync("CREATE UNIQUE INDEX CONCURRENTLY job_views_job_unique ON job_views (job_id)"));

        var failing = await RunAsync(database, "postgres.reindex", "      mode: concurrently");
        var reporting = await RunAsync(database, "postgres.reindex", "      mode: concurrently\n      fail_on_invalid_indexes: false");

        Assert.Equal(1, failing.ExitCode);
        Assert.Contains("1 invalid index(es) remain", failing.All);
        Assert.Contains("public.job_views_job_unique on public.job_views", failing.All);
        Assert.Contains("DROP INDEX CONCURRENTLY \"public\".\"job_views_job_unique\"", failing.All);
        Assert.True(reporting.ExitCode == 0, reporting.All);
        var invalid = Assert.Single(Outputs().GetProperty("invalid_indexes").EnumerateArray());
        Assert.Equal("public.job_views_job_unique", invalid.GetProperty("index").GetString());
        Assert.False(invalid.GetProperty("reindex_leftover").GetBoolean());
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_indexes WHERE indexname = 'job_views_job_unique'"));
    }

    [Fact]
    public async Task Vacuum_analyze_runs_in_each_listed_database_outside_a_transaction()
    {
        var first = await SampleAsync();
        var second = await EmptyAsync();

        var result = await RunAsync(first, "postgres.vacuum", $"      databases: [{first.Name}, {second.Name}]");

        Assert.True(result.ExitCode == 0, result.All);
        var operations = Outputs().GetProperty("operations").EnumerateArray().ToList();
        Assert.Equal([first.Name, second.Name], operations.Select(o => o.GetProperty("target").GetString()));
        Assert.All(operations, o => Assert.Equal("VACUUM (ANALYZE)", o.GetProperty("operation").GetString()));
        Assert.True(operations[0].GetProperty("size_before_bytes").GetInt64() > 0);
        Assert.True(await first.ScalarAsync<bool>("SELECT last_vacuum IS NOT NULL AND last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'audit_logs'"));
    }

    [Fact]
    public async Task Analyze_of_listed_tables_refreshes_their_statistics_and_names_a_missing_one()
    {
        var database = await SampleAsync();

        var ok = await RunAsync(database, "postgres.analyze", "      tables: [audit_logs, public.page_views]");
        var missing = await RunAsync(database, "postgres.analyze", "      tables: [audit_log]");

        Assert.True(ok.ExitCode == 0, ok.All);
        Assert.True(await database.ScalarAsync<bool>("SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'page_views'"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no table 'audit_log' in database", missing.All);
    }
}
