using ExcelMedical.DbRunbook.Tests.Maintenance;
using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Backup;

/// <summary>
/// A dedicated backup disk has a lost+found that only root may read, and the service runs as its
/// own user. The real runbook process runs here as "nobody" (root reads everything, so a test as
/// root would prove nothing) on a backup root it owns, next to a root-only folder.
/// </summary>
public sealed class UnreadableFolderTests(SampleDatabase database) : IClassFixture<SampleDatabase>, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [RootFact("runs runbook as the unprivileged user nobody next to a folder only root can read")]
    public async Task A_folder_the_service_user_cannot_read_is_skipped_with_a_warning_and_the_backup_still_runs()
    {
        var root = _dir["backups"];
        _dir.Write("backups/2026-11-24/postgres_20261124_020000.sql.gz", new string('x', 4096));
        Directory.CreateDirectory(_dir["state"]);
        var playbook = _dir.Write("backup.yaml", $$$"""
            name: backup
            {{{FreshDatabase.Connections}}}
            steps:
              - id: pg_dump
                uses: postgres.dump
                with: { file: "{{ env.ROOT }}/2026-11-25/postgres_20261125_020000.sql.gz" }
            """);
        // The test process runs with umask 077 (runbook's own, set in-process by other tests): open up what nobody must read.
        File.SetUnixFileMode(_dir.Path, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(playbook, (UnixFileMode)0b110_100_100);
        Assert.Equal(0, (await Shell.RunAsync($"chown -R {MeasuredRun.Nobody}:{MeasuredRun.Nobody} '{root}' '{_dir["state"]}'")).ExitCode);

        // Like lost+found on a dedicated disk: root's, mode 0700.
        var lostFound = Directory.CreateDirectory(Path.Combine(root, "lost+found")).FullName;
        File.SetUnixFileMode(lostFound, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var environment = new Dictionary<string, string>(database.GuideEnvironment(), StringComparer.Ordinal)
        {
            ["ROOT"] = root,
            ["RUNBOOK_STATE_DIR"] = _dir["state"],
            ["HOME"] = _dir["state"],
        };
        var unreadable = await Shell.RunAsync($"setpriv --reuid={MeasuredRun.Nobody} --regid={MeasuredRun.Nobody} --clear-groups -- ls '{lostFound}'");
        Assert.True(unreadable.ExitCode != 0, "nobody can read the root-only folder, so this test would prove nothing");

        var run = await MeasuredRun.RunAsync(["run", playbook], environment, _dir.Path, asUser: MeasuredRun.Nobody);
        var dryRun = await MeasuredRun.RunAsync(["run", playbook, "--dry-run"], environment, _dir.Path, asUser: MeasuredRun.Nobody);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.True(new FileInfo(_dir["backups/2026-11-25/postgres_20261125_020000.sql.gz"]).Length > 0);
        Assert.Contains($"skipped {lostFound} (", run.Output);
        Assert.Contains("while looking for the last backup's size: it cannot be read by this user", run.Output);
        Assert.True(dryRun.ExitCode == 0, dryRun.Output);
        Assert.Contains($"would skip {lostFound} (", dryRun.Output);
    }
}
