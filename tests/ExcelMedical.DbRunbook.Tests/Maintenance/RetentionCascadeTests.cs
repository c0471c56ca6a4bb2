using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Maintenance;

/// <summary>
/// postgres.retention on a table other tables reference: foreign keys ON DELETE CASCADE (two
/// levels deep) and SET NULL, and delete triggers. The child rows are all newer than the parent's
/// cutoff, so deleting them is exactly the surprise the guard rail exists for.
/// </summary>
public sealed class RetentionCascadeTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Reference = ReferenceClock.Sunday;

    private readonly TempDirectory _dir = new();
    private FreshDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await FreshDatabase.CreateAsync("cascade");
        var cutoff = (Reference - TimeSpan.FromDays(30)).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

        // 100 parents, 60 of them older than the cutoff; every child is a day old.
        await _database.ExecuteAsync($"""
            CREATE TABLE parent (id bigint PRIMARY KEY, created_at timestamptz NOT NULL);
            CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint NOT NULL REFERENCES parent (id) ON DELETE CASCADE, created_at timestamptz NOT NULL);
            CREATE TABLE grandchild (id bigint PRIMARY KEY, child_id bigint NOT NULL REFERENCES child (id) ON DELETE CASCADE);
            CREATE TABLE note (id bigint PRIMARY KEY, parent_id bigint REFERENCES parent (id) ON DELETE SET NULL);
            CREATE TABLE untouched (id bigint PRIMARY KEY, parent_id bigint REFERENCES parent (id));
            INSERT INTO parent SELECT i, timestamptz '{cutoff}+00' + (i - 60.5) * interval '1 hour' FROM generate_series(1, 100) i;
            INSERT INTO child SELECT i, (i - 1) / 3 + 1, timestamptz '{cutoff}+00' + interval '29 days' FROM generate_series(1, 300) i;
            INSERT INTO grandchild SELECT i, i FROM generate_series(1, 300) i;
            INSERT INTO note SELECT i, i FROM generate_series(3, 99, 3) i;
            INSERT INTO untouched SELECT i, 60 + i FROM generate_series(1, 10) i;
            """);
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        _dir.Dispose();
    }

    private RunbookCliHarness Cli() => new(_dir["state"], _database.GuideEnvironment(), new ReferenceClock(Reference));

    private string Playbook(string table, string extra = "") => _dir.Write("retention.yaml", $$"""
        name: retention
        {{FreshDatabase.Connections}}
        steps:
          - id: purge
            uses: postgres.retention
            with:
              batch_size: 25
              batch_pause: 0s
              max_delete_share: 1
              tables:
                - { table: {{table}}, column: created_at, days: 30{{extra}} }
        """);

    private async Task<Dictionary<string, long>> CountsAsync()
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in new[] { "parent", "child", "grandchild", "note", "untouched" })
        {
            counts[table] = await _database.ScalarAsync<long>($"SELECT count(*) FROM {table}");
        }

        counts["note_with_parent"] = await _database.ScalarAsync<long>("SELECT count(parent_id) FROM note");
        return counts;
    }

    private static long Planned(string output, string pattern)
    {
        var match = Regex.Match(output, pattern);
        Assert.True(match.Success, $"no match for {pattern} in:\n{output}");
        return long.Parse(match.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_purge_that_cascades_to_newer_child_rows_is_refused_by_default_listing_each_table_with_its_rows_and_nothing_is_lost()
    {
        var before = await CountsAsync();
        var playbook = Playbook("parent");

        var dryRun = await Cli().RunAsync("run", playbook, "--dry-run");
        var run = await Cli().RunAsync("run", playbook);

        Assert.True(dryRun.ExitCode == 0, dryRun.All);
        Assert.Contains("would refuse public.parent: public.parent: deleting its rows reaches beyond the table", dryRun.Output);
        Assert.Contains("would   also delete 180 row(s) of public.child through child_parent_id_fkey (ON DELETE CASCADE)", dryRun.Output);
        Assert.Contains("would   also delete 180 row(s) of public.grandchild through grandchild_child_id_fkey (ON DELETE CASCADE, via public.parent -> public.child)", dryRun.Output);
        Assert.Contains("would   also change 20 row(s) of public.note through note_parent_id_fkey (ON DELETE SET NULL)", dryRun.Output);
        Assert.DoesNotContain("untouched", dryRun.Output);
        Assert.Contains("delete NOTHING and fail", dryRun.Output);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("retention refused, nothing was deleted", run.All);
        Assert.Contains("it would delete 180 row(s) of public.child through child_parent_id_fkey (ON DELETE CASCADE); delete 180 row(s) of public.grandchild", run.All);
        Assert.Contains("set allow_cascade: true on this table's entry if that is intended", run.All);
        Assert.Equal(before, await CountsAsync());
        Assert.Equal("failed", RunRecords.Latest(_dir["state"], "retention").Step("purge").Status());
    }

    [Fact]
    public async Task With_allow_cascade_the_dry_runs_child_counts_are_exactly_what_the_run_deletes_and_changes()
    {
        var before = await CountsAsync();
        var playbook = Playbook("parent", ", allow_cascade: true");

        var dryRun = await Cli().RunAsync("run", playbook, "--dry-run");

        Assert.True(dryRun.ExitCode == 0, dryRun.All);
        Assert.Equal(before, await CountsAsync());
        var parents = Planned(dryRun.Output, @"would delete ([0-9,]+) of 100 rows \([0-9.]+%\) from public\.parent");
        var children = Planned(dryRun.Output, @"also delete ([0-9,]+) row\(s\) of public\.child through");
        var grandchildren = Planned(dryRun.Output, @"also delete ([0-9,]+) row\(s\) of public\.grandchild through");
        var notes = Planned(dryRun.Output, @"also change ([0-9,]+) row\(s\) of public\.note through");

        var run = await Cli().RunAsync("run", playbook);

        Assert.True(run.ExitCode == 0, run.All);
        var after = await CountsAsync();
        Assert.Equal(60, parents);
        Assert.Equal(parents, before["parent"] - after["parent"]);
        Assert.Equal(children, before["child"] - after["child"]);
        Assert.Equal(grandchildren, before["grandchild"] - after["grandchild"]);
        Assert.Equal(notes, before["note_with_parent"] - after["note_with_parent"]);
        Assert.Equal(before["note"], after["note"]);
        Assert.Equal(before["untouched"], after["untouched"]);

        // The run measured in each batch's transaction what the cascade did, and says so.
        var table = RunRecords.Latest(_dir["state"], "retention").Step("purge").GetProperty("outputs").GetProperty("tables")[0];
        var measured = table.GetProperty("cascaded").EnumerateArray().ToDictionary(c => c.GetProperty("table").GetString()!, c => c);
        Assert.Equal(children, measured["public.child"].GetProperty("rows_deleted").GetInt64());
        Assert.Equal(grandchildren, measured["public.grandchild"].GetProperty("rows_deleted").GetInt64());
        Assert.Equal(notes, measured["public.note"].GetProperty("rows_changed").GetInt64());
        Assert.Contains($"the cascade deleted {children} row(s) and changed 0 of public.child (measured)", run.All);
    }

    [Fact]
    public async Task A_delete_trigger_is_listed_and_refused_without_allow_cascade()
    {
        await _database.ExecuteAsync("""
            CREATE TABLE child_archive (LIKE child);
            CREATE FUNCTION archive_child() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO child_archive SELECT OLD.*; RETURN OLD; END $$;
            CREATE TRIGGER keep_deleted_children AFTER DELETE ON child FOR EACH ROW EXECUTE FUNCTION archive_child();
            """);
        var before = await _database.ScalarAsync<long>("SELECT count(*) FROM child");
        var playbook = Playbook("child");
        await _database.ExecuteAsync("UPDATE child SET created_at = created_at - interval '60 days' WHERE id <= 30");

        var dryRun = await Cli().RunAsync("run", playbook, "--dry-run");
        var run = await Cli().RunAsync("run", playbook);

        Assert.Contains("would   also run trigger keep_deleted_children on public.child (AFTER DELETE FOR EACH ROW)", dryRun.Output);
        Assert.Contains("would   also delete 30 row(s) of public.grandchild through grandchild_child_id_fkey (ON DELETE CASCADE)", dryRun.Output);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("run trigger keep_deleted_children on public.child (AFTER DELETE FOR EACH ROW)", run.All);
        Assert.Equal(before, await _database.ScalarAsync<long>("SELECT count(*) FROM child"));
        Assert.Equal(0, await _database.ScalarAsync<long>("SELECT count(*) FROM child_archive"));
    }

    [Fact]
    public async Task A_table_nothing_references_is_purged_as_before_with_no_cascade_in_its_plan()
    {
        var playbook = Playbook("grandchild");
        await _database.ExecuteAsync("ALTER TABLE grandchild ADD COLUMN created_at timestamptz NOT NULL DEFAULT '2020-01-01'; UPDATE grandchild SET created_at = '2026-11-21' WHERE id > 10");

        var run = await Cli().RunAsync("run", playbook);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(290, await _database.ScalarAsync<long>("SELECT count(*) FROM grandchild"));
        var table = RunRecords.Latest(_dir["state"], "retention").Step("purge").GetProperty("outputs").GetProperty("tables")[0];
        Assert.Equal(JsonValueKind.Array, table.GetProperty("cascades").ValueKind);
        Assert.Empty(table.GetProperty("cascades").EnumerateArray());
        Assert.False(table.TryGetProperty("cascaded", out _));
    }

    [Fact]
    public async Task A_partitioned_table_and_its_trigger_are_surveyed_once_and_its_cascade_counted_exactly()
    {
        var cutoff = (Reference - TimeSpan.FromDays(30)).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        await _database.ExecuteAsync($"""
            CREATE TABLE visits (id bigint, created_at timestamptz NOT NULL, PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at);
            CREATE TABLE visits_old PARTITION OF visits FOR VALUES FROM (MINVALUE) TO ('{cutoff}+00');
            CREATE TABLE visits_new PARTITION OF visits FOR VALUES FROM ('{cutoff}+00') TO (MAXVALUE);
            CREATE TABLE visit_pages (id bigint PRIMARY KEY, visit_id bigint NOT NULL, visit_created_at timestamptz NOT NULL,
                CONSTRAINT pages_visit_fk FOREIGN KEY (visit_id, visit_created_at) REFERENCES visits ON DELETE CASCADE);
            CREATE FUNCTION count_deleted_visits() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$;
            CREATE TRIGGER visits_deleted AFTER DELETE ON visits FOR EACH ROW EXECUTE FUNCTION count_deleted_visits();
            INSERT INTO visits SELECT i, timestamptz '{cutoff}+00' + (i - 20.5) * interval '1 hour' FROM generate_series(1, 40) i;
            INSERT INTO visit_pages SELECT p, (p - 1) / 2 + 1, v.created_at FROM generate_series(1, 80) p JOIN visits v ON v.id = (p - 1) / 2 + 1;
            """);
        var playbook = Playbook("visits", ", allow_cascade: true");

        var dryRun = await Cli().RunAsync("run", playbook, "--dry-run");
        var run = await Cli().RunAsync("run", playbook);

        Assert.True(dryRun.ExitCode == 0, dryRun.All);
        Assert.Contains("would delete 20 of 40 rows (50%) from public.visits", dryRun.Output);
        Assert.Contains("would   also delete 40 row(s) of public.visit_pages through pages_visit_fk (ON DELETE CASCADE)", dryRun.Output);
        Assert.Single(Regex.Matches(dryRun.Output, "also run trigger visits_deleted"));
        Assert.Contains("would   also run trigger visits_deleted on public.visits (AFTER DELETE FOR EACH ROW)", dryRun.Output);
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(20, await _database.ScalarAsync<long>("SELECT count(*) FROM visits"));
        Assert.Equal(40, await _database.ScalarAsync<long>("SELECT count(*) FROM visit_pages"));
        Assert.Contains("the cascade deleted 40 row(s) and changed 0 of public.visit_pages (measured)", run.All);
    }
}
