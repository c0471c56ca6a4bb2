using System.Text.Json;
using System.Text.RegularExpressions;
using ExcelMedical.DbRunbook.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace ExcelMedical.DbRunbook.Tests.Backup;

public sealed class PruneBackupsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    // 02:00 on 2026-11-25 in New York, the guide's cron time.
    private FakeTimeProvider _time = NewYork(new DateTimeOffset(2026, 11, 25, 7, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    private string Root => _dir["backups"];

    private static FakeTimeProvider NewYork(DateTimeOffset utc)
    {
        var time = new FakeTimeProvider(utc);
        time.SetLocalTimeZone(TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
        return time;
    }

    private RunbookCliHarness Cli() => new(_dir["state"], new Dictionary<string, string> { ["ROOT"] = Root }, _time);

    /// <summary>A day folder with a dump of <paramref name="bytes"/> bytes and a verification report.</summary>
    private long Day(string name, int bytes = 1000)
    {
        _dir.Write($"backups/{name}/postgres_{name.Replace("-", string.Empty, StringComparison.Ordinal)}_020000.sql.gz", new string('x', bytes));
        _dir.Write($"backups/{name}/verification/postgres_backup_verify.txt", "Result: OK\n");
        return bytes + "Result: OK\n".Length;
    }

    private IReadOnlyList<string> Entries() =>
        [.. Directory.EnumerateFileSystemEntries(Root).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    private string Playbook(string prune, string verifySteps = DefaultVerifySteps) => _dir.Write("prune.yaml", $$$"""
        name: prune
        steps:
        {{{verifySteps}}}
          - id: prune
            uses: backups.prune
            with:
              root: "{{ env.ROOT }}"
        {{{prune}}}
        """);

    private const string DefaultVerifySteps = """
          - id: pg_verify
            uses: test.echo
            with: { values: { verified: "true" } }
          - id: mongo_verify
            uses: test.echo
            with: { values: { verified: "true" } }
        """;

    private const string RequireBoth = "      require_verified: [pg_verify, mongo_verify]";

    private JsonElement PruneOutputs() => RunRecords.Latest(_dir["state"], "prune").Step("prune").GetProperty("outputs");

    private static List<string> Names(JsonElement outputs) =>
        [.. outputs.GetProperty("deleted").EnumerateArray().Select(e => e.GetString()!)];

    [Fact]
    public async Task Deletes_day_folders_older_than_keep_days_and_leaves_everything_else_alone()
    {
        foreach (var kept in new[] { "2026-11-25", "2026-11-24", "2026-11-20", "2026-11-18" })
        {
            Day(kept);
        }

        var freed = Day("2026-11-17", 3000) + Day("2026-11-01", 5000) + Day("2025-12-31", 7000);
        Day("2026-13-45");                                     // not a date
        Day("backup-old");                                     // not a day folder
        Day("2026-1-05");                                      // not exactly YYYY-MM-DD
        _dir.Write("backups/2026-10-02", "a file, not a folder");
        _dir.Write("backups/2026-11-01/.hidden", "dot files go with their folder");
        freed += "dot files go with their folder".Length;

        // A link named like an old day folder, and a link inside an old folder: neither is followed.
        _dir.Write("elsewhere/precious.txt", "must survive");
        File.CreateSymbolicLink(Path.Combine(Root, "2026-09-01"), _dir["elsewhere"]);
        File.CreateSymbolicLink(_dir["backups/2026-11-01/link-out"], _dir["elsewhere"]);
        File.CreateSymbolicLink(_dir["backups/2026-11-01/file-link"], _dir["elsewhere/precious.txt"]);

        var result = await Cli().RunAsync("run", Playbook("      keep_days: 7\n" + RequireBoth));

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(
            ["2026-09-01", "2026-1-05", "2026-10-02", "2026-11-18", "2026-11-20", "2026-11-24", "2026-11-25", "2026-13-45", "backup-old"],
            Entries());
        Assert.Equal("must survive", await File.ReadAllTextAsync(_dir["elsewhere/precious.txt"]));
        Assert.Equal(_dir["elsewhere"], new FileInfo(Path.Combine(Root, "2026-09-01")).LinkTarget);
        Assert.True(File.Exists(_dir["backups/2026-11-18/verification/postgres_backup_verify.txt"]));

        var outputs = PruneOutputs();
        Assert.Equal(["2025-12-31", "2026-11-01", "2026-11-17"], Names(outputs));
        Assert.Equal(4, outputs.GetProperty("kept").GetInt32());
        Assert.Equal(freed, outputs.GetProperty("freed_bytes").GetInt64());
        Assert.Equal("2026-11-18", outputs.GetProperty("cutoff").GetString());
    }

    [Fact]
    public async Task Age_is_counted_from_the_local_date_not_the_utc_date()
    {
        // 23:30 on 2026-11-24 in New York is already 2026-11-25 in UTC.
        _time = NewYork(new DateTimeOffset(2026, 11, 25, 4, 30, 0, TimeSpan.Zero));
        Day("2026-11-24");
        Day("2026-11-23");
        Day("2026-11-22");
        Day("2026-11-17");
        Day("2026-11-16");

        var result = await Cli().RunAsync("run", Playbook("      keep_days: 7\n" + RequireBoth));

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(["2026-11-16"], Names(PruneOutputs()));
        Assert.True(Directory.Exists(Path.Combine(Root, "2026-11-17")));
    }

    [Fact]
    public async Task Min_keep_keeps_the_newest_day_folders_however_old_they_are()
    {
        foreach (var day in new[] { "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05" })
        {
            Day(day);
        }

        var result = await Cli().RunAsync("run", Playbook("      keep_days: 7\n      min_keep: 3\n" + RequireBoth));

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(["2026-10-03", "2026-10-04", "2026-10-05"], Entries());
        Assert.Equal(["2026-10-01", "2026-10-02"], Names(PruneOutputs()));
        Assert.Equal(3, PruneOutputs().GetProperty("kept").GetInt32());
    }

    [Fact]
    public async Task The_newest_day_folder_is_never_deleted_even_with_keep_days_0_and_min_keep_1()
    {
        Day("2026-09-01");
        Day("2026-10-01");

        var result = await Cli().RunAsync("run", Playbook("      keep_days: 0\n      min_keep: 1\n" + RequireBoth));

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(["2026-10-01"], Entries());
        Assert.Contains("kept 2026-10-01 (55 days old, but the newest day folder is never deleted)", result.All);
    }

    [Fact]
    public async Task Nothing_is_deleted_when_a_required_verification_step_failed()
    {
        Day("2026-11-25");
        Day("2026-10-01");
        Day("2026-09-01");
        Day("2026-08-01");
        var playbook = Playbook(RequireBoth + "\n      min_keep: 1", """
              - id: pg_verify
                uses: test.echo
                with: { values: { verified: "true" } }
              - id: mongo_verify
                uses: test.fail
                continue_on_error: true
                with: { message: "tar -tzf reported a truncated archive" }
            """);
        var before = _dir.Snapshot();

        var result = await Cli().RunAsync("run", playbook);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("refusing to prune", result.All);
        Assert.Contains("step 'mongo_verify' failed: tar -tzf reported a truncated archive", result.All);
        Assert.Equal("failed", RunRecords.Latest(_dir["state"], "prune").Step("prune").Status());
        Assert.Equal(before, _dir.Snapshot().Where(p => !p.StartsWith(_dir["state"], StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_skipped_verification_step_refuses_unless_it_is_listed_in_optional_steps()
    {
        Day("2026-11-25");
        Day("2026-11-24");
        Day("2026-11-23");
        Day("2026-10-01");
        const string skippedMongo = """
              - id: pg_verify
                uses: test.echo
                with: { values: { verified: "true" } }
              - id: mongo_verify
                uses: test.echo
                when: "{{ env.MONGO_URI != null }}"
                with: { values: { verified: "true" } }
            """;

        var refused = await Cli().RunAsync("run", Playbook(RequireBoth, skippedMongo));

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("step 'mongo_verify' was skipped", refused.All);
        Assert.Contains("optional_steps", refused.All);
        Assert.True(Directory.Exists(Path.Combine(Root, "2026-10-01")));

        _time.Advance(TimeSpan.FromMinutes(1));
        var allowed = await Cli().RunAsync("run", Playbook(RequireBoth + "\n      optional_steps: [mongo_verify]", skippedMongo));

        Assert.True(allowed.ExitCode == 0, allowed.All);
        Assert.Equal(["2026-10-01"], Names(PruneOutputs()));
        Assert.False(Directory.Exists(Path.Combine(Root, "2026-10-01")));
    }

    [Fact]
    public async Task A_misspelt_required_step_is_refused_before_anything_runs()
    {
        Day("2026-11-25");
        Day("2026-01-01");

        var result = await Cli().RunAsync("run", Playbook("      require_verified: [pg_verfy]"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'require_verified' of step 'prune' names the step 'pg_verfy', but there is no step 'pg_verfy' (did you mean 'pg_verify'?)", result.All);
        Assert.True(Directory.Exists(Path.Combine(Root, "2026-01-01")));
    }

    [Fact]
    public async Task A_dry_run_deletes_nothing_and_plans_exactly_the_folders_the_real_run_deletes()
    {
        foreach (var day in new[] { "2026-11-25", "2026-11-19", "2026-11-18", "2026-11-17", "2026-11-02", "2026-06-30", "2026-13-01" })
        {
            Day(day);
        }

        var playbook = Playbook("      keep_days: 7\n" + RequireBoth);
        var before = _dir.Snapshot();
        var dryRun = await Cli().RunAsync("run", playbook, "--dry-run");

        Assert.True(dryRun.ExitCode == 0, dryRun.All);
        Assert.Equal(before, _dir.Snapshot().Where(p => !p.StartsWith(_dir["state"], StringComparison.Ordinal)));
        var plannedDeletions = Regex.Matches(dryRun.Output, @"would delete (\S+) \(").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["2026-06-30", "2026-11-02", "2026-11-17"], plannedDeletions);
        Assert.Contains("would delete 2026-11-17 (8 days old, before the cutoff 2026-11-18; 1011 B)", dryRun.Output);
        Assert.Contains("would keep 2026-11-18 (7 days old, within keep_days=7)", dryRun.Output);
        Assert.Contains("would keep 2026-11-25 (today's, within keep_days=7)", dryRun.Output);
        Assert.Contains("would free 3.0 KiB (3033 bytes) in all, keeping 3 day folder(s)", dryRun.Output);
        Assert.Contains("would require pg_verify, mongo_verify to have succeeded in this run", dryRun.Output);
        Assert.Contains("would ignore 2026-13-01 (not a YYYY-MM-DD day folder)", dryRun.Output);
        Assert.False(Directory.Exists(_dir["state/runs/prune"]));

        _time.Advance(TimeSpan.FromMinutes(1));
        var real = await Cli().RunAsync("run", playbook);

        Assert.True(real.ExitCode == 0, real.All);
        Assert.Equal(plannedDeletions, Names(PruneOutputs()));
        Assert.Equal(3033, PruneOutputs().GetProperty("freed_bytes").GetInt64());
        Assert.Equal(["2026-11-18", "2026-11-19", "2026-11-25", "2026-13-01"], Entries());
    }

    [Theory]
    [InlineData("/", 2)]
    [InlineData("/.", 2)]
    [InlineData("  ", 1)]
    public async Task The_file_system_root_or_an_empty_root_is_refused(string root, int exitCode)
    {
        var playbook = _dir.Write("prune.yaml", $$"""
            name: prune
            steps:
              - id: prune
                uses: backups.prune
                with: { root: "{{root}}", keep_days: 0, min_keep: 1 }
            """);

        var result = await Cli().RunAsync("run", playbook);

        // A literal root of / is refused by validation (exit 2) before anything runs; an empty one by the step.
        Assert.Equal(exitCode, result.ExitCode);
        Assert.Matches("must not be the file system root '/'|the root option is empty", result.All);
    }

    [Fact]
    public async Task A_root_that_is_a_link_to_the_file_system_root_is_refused()
    {
        File.CreateSymbolicLink(_dir["slash"], "/");
        var playbook = _dir.Write("prune.yaml", $$"""
            name: prune
            steps:
              - id: prune
                uses: backups.prune
                with: { root: "{{_dir["slash"]}}", keep_days: 0, min_keep: 1 }
            """);

        var result = await Cli().RunAsync("run", playbook);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("refusing to prune the file system root", result.All);
    }

    [Fact]
    public async Task A_missing_root_is_refused_with_the_path_to_fix()
    {
        var result = await Cli().RunAsync("run", Playbook(RequireBoth));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"the backup root {Root} does not exist", result.All);
    }

    [Fact]
    public async Task An_optional_step_missing_from_require_verified_is_a_validation_error()
    {
        Day("2026-01-01");
        var literal = _dir.Write("literal.yaml", $$"""
            name: prune
            steps:
              - id: pg_verify
                uses: test.echo
              - id: prune
                uses: backups.prune
                with: { root: "{{Root}}", require_verified: [pg_verify], optional_steps: [mongo_verify] }
            """);
        var templated = Playbook("      require_verified: [pg_verify]\n      optional_steps: [mongo_verify]");

        var validation = await Cli().RunAsync("validate", literal);
        var run = await Cli().RunAsync("run", templated);

        Assert.Equal(2, validation.ExitCode);
        Assert.Contains("optional_steps names 'mongo_verify', which is not in require_verified", validation.All);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("optional_steps names 'mongo_verify', which is not in require_verified", run.All);
        Assert.True(Directory.Exists(Path.Combine(Root, "2026-01-01")));
    }

    [Fact]
    public async Task By_default_every_earlier_verify_step_of_the_run_must_have_succeeded()
    {
        Day("2026-11-25");
        Day("2026-11-24");
        Day("2026-11-23");
        Day("2026-10-01");
        var playbook = Playbook("      keep_days: 7", """
              - id: pg_verify
                uses: postgres.verify
                continue_on_error: true
                with: { file: "{{ env.ROOT }}/2026-11-25/postgres_never_written.sql.gz" }
              - id: echo
                uses: test.echo
            """);

        var dryRun = await Cli().RunAsync("run", playbook, "--dry-run");
        _time.Advance(TimeSpan.FromMinutes(1));
        var run = await Cli().RunAsync("run", playbook);

        Assert.True(dryRun.ExitCode == 0, dryRun.All);
        Assert.Contains("would require this run's verification steps pg_verify to have succeeded (require_verified not set: every earlier postgres.verify / archive.verify step)", dryRun.Output);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("refusing to prune", run.All);
        Assert.Contains("step 'pg_verify' failed", run.All);
        Assert.True(Directory.Exists(Path.Combine(Root, "2026-10-01")));
    }

    [Fact]
    public async Task A_run_without_verify_steps_prunes_only_when_require_verified_is_explicitly_empty()
    {
        Day("2026-11-25");
        Day("2026-11-24");
        Day("2026-11-23");
        Day("2026-10-01");

        var refused = await Cli().RunAsync("run", Playbook("      keep_days: 7"));

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("this run has no verification step (postgres.verify, archive.verify) before backups.prune", refused.All);
        Assert.Contains("set require_verified: [] to prune without verification", refused.All);
        Assert.True(Directory.Exists(Path.Combine(Root, "2026-10-01")));

        _time.Advance(TimeSpan.FromMinutes(1));
        var playbook = Playbook("      keep_days: 7\n      require_verified: []");
        var dryRun = await Cli().RunAsync("run", playbook, "--dry-run");
        var pruned = await Cli().RunAsync("run", playbook);

        Assert.Contains("would prune without waiting for any verification (require_verified: [])", dryRun.Output);
        Assert.True(pruned.ExitCode == 0, pruned.All);
        Assert.Contains("prune without waiting for any verification (require_verified: [])", pruned.All);
        Assert.False(Directory.Exists(Path.Combine(Root, "2026-10-01")));
    }

    [RootFact("bind mounts")]
    public async Task A_day_folder_holding_a_mount_point_is_refused_whole_and_nothing_on_the_mount_is_touched()
    {
        Day("2026-11-25");
        Day("2026-11-24");
        Day("2026-11-23");
        Day("2026-10-01");
        Day("2026-10-02");
        _dir.Write("elsewhere/precious.txt", "must survive");
        _dir.Write("other-disk/also-precious.txt", "must survive too");
        Directory.CreateDirectory(_dir["backups/2026-10-02/data"]);
        Directory.CreateDirectory(_dir["backups/2026-10-03"]);
        var mounts = new List<string>();
        try
        {
            // Bind mounts of folders of the same disk: the same device id, another mount.
            await Mount(_dir["elsewhere"], _dir["backups/2026-10-02/data"], mounts);
            await Mount(_dir["other-disk"], _dir["backups/2026-10-03"], mounts);
            var playbook = Playbook("      keep_days: 7\n" + RequireBoth);

            var dryRun = await Cli().RunAsync("run", playbook, "--dry-run");
            _time.Advance(TimeSpan.FromMinutes(1));
            var run = await Cli().RunAsync("run", playbook);

            Assert.True(dryRun.ExitCode == 0, dryRun.All);
            Assert.Contains("would delete 2026-10-01 (", dryRun.Output);
            Assert.Contains("would REFUSE to delete 2026-10-02 (54 days old, before the cutoff 2026-11-18): it holds the mount point 2026-10-02/data (another file system is mounted there); nothing of it is deleted", dryRun.Output);
            Assert.Contains("would REFUSE to delete 2026-10-03 (53 days old, before the cutoff 2026-11-18): it is itself a mount point", dryRun.Output);

            Assert.Equal(1, run.ExitCode);
            Assert.Contains("refused 2 folder(s) holding a mount point, deleting nothing of them (2026-10-02: it holds the mount point 2026-10-02/data", run.All);
            Assert.Contains("deleted 2026-10-01 (", run.All);
            Assert.Equal("failed", RunRecords.Latest(_dir["state"], "prune").Step("prune").Status());
            Assert.Equal("must survive", await File.ReadAllTextAsync(_dir["elsewhere/precious.txt"]));
            Assert.Equal("must survive too", await File.ReadAllTextAsync(_dir["other-disk/also-precious.txt"]));
            Assert.True(File.Exists(_dir["backups/2026-10-02/postgres_20261002_020000.sql.gz"]), "a file of the refused folder was deleted");
            Assert.True(File.Exists(_dir["backups/2026-10-02/verification/postgres_backup_verify.txt"]));
            Assert.False(Directory.Exists(_dir["backups/2026-10-01"]));
        }
        finally
        {
            foreach (var mount in Enumerable.Reverse(mounts))
            {
                var unmounted = await Shell.RunAsync($"umount '{mount}'");
                Assert.True(unmounted.ExitCode == 0, $"could not unmount {mount}: {unmounted.Error}");
            }
        }
    }

    private static async Task Mount(string source, string target, List<string> mounts)
    {
        var result = await Shell.RunAsync($"mount --bind '{source}' '{target}'");
        Assert.True(result.ExitCode == 0, $"mount --bind failed: {result.Error}");
        mounts.Add(target);
    }
}
