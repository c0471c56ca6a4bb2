using System.Security.Cryptography;
using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Backup;

public sealed class ChecksumTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Day => _dir["backups/2026-11-25"];

    private RunbookCliHarness Cli() => new(_dir["state"], new Dictionary<string, string> { ["DAY"] = Day });

    private string RandomFile(string relative, int bytes)
    {
        var path = _dir[relative];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(bytes));
        return path;
    }

    private string Playbook(string with, string log = "") => _dir.Write("checksum.yaml", $$$"""
        name: checksum
        {{{log}}}
        steps:
          - id: checksum
            uses: checksum
            with:
        {{{with}}}
        """);

    private static Task<(int ExitCode, string Output, string Error)> Sha256sumCheck(string folder, string manifest = "SHA256SUMS") =>
        Shell.RunAsync($"cd '{folder}' && sha256sum -c --strict {manifest}");

    private static async Task<string> Sha256sumOf(string path)
    {
        var result = await Shell.RunAsync($"sha256sum '{path}'");
        Assert.Equal(0, result.ExitCode);
        return result.Output.Split(' ')[0];
    }

    [Fact]
    public async Task The_manifest_of_a_day_folder_passes_sha256sum_c_and_catches_a_changed_byte()
    {
        var dump = RandomFile("backups/2026-11-25/postgres_20261125_020000.sql.gz", 300_000);
        RandomFile("backups/2026-11-25/mongo_20261125_020000.tar.gz", 200_000);
        _dir.Write("backups/2026-11-25/verification/postgres_backup_verify.txt", "Result: OK\n");
        _dir.Write("backups/2026-11-25/name with spaces.txt", "spaces are fine\n");
        _dir.Write("backups/2026-11-25/mongo_20261125_030000.tar.gz.partial", "half written");
        _dir.Write("elsewhere/outside.txt", "not part of the backup");
        File.CreateSymbolicLink(Path.Combine(Day, "link.txt"), _dir["elsewhere/outside.txt"]);

        var result = await Cli().RunAsync("run", Playbook("""      folder: "{{ env.DAY }}" """));

        Assert.True(result.ExitCode == 0, result.All);
        var manifest = Path.Combine(Day, "SHA256SUMS");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(manifest));
        var check = await Sha256sumCheck(Day);
        Assert.True(check.ExitCode == 0, check.Output + check.Error);
        Assert.Equal(
            ["mongo_20261125_020000.tar.gz: OK", "name with spaces.txt: OK", "postgres_20261125_020000.sql.gz: OK", "verification/postgres_backup_verify.txt: OK"],
            check.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var files = RunRecords.Latest(_dir["state"], "checksum").Step("checksum").GetProperty("outputs").GetProperty("files");
        Assert.Equal(4, files.EnumerateObject().Count());
        Assert.Equal(await Sha256sumOf(dump), files.GetProperty("postgres_20261125_020000.sql.gz").GetString());
        Assert.Equal(await Sha256sumOf(Path.Combine(Day, "verification/postgres_backup_verify.txt")), files.GetProperty("verification/postgres_backup_verify.txt").GetString());

        var bytes = await File.ReadAllBytesAsync(dump);
        bytes[150_000] ^= 0x01;
        await File.WriteAllBytesAsync(dump, bytes);
        var recheck = await Sha256sumCheck(Day);
        Assert.NotEqual(0, recheck.ExitCode);
        Assert.Contains("postgres_20261125_020000.sql.gz: FAILED", recheck.Output);
    }

    [Fact]
    public async Task Listed_files_get_a_manifest_beside_them_and_a_pattern_narrows_a_folder()
    {
        var dump = RandomFile("backups/2026-11-25/postgres_20261125_020000.sql.gz", 50_000);
        var archive = RandomFile("backups/2026-11-25/mongo_20261125_020000.tar.gz", 40_000);
        _dir.Write("backups/2026-11-25/backup_summary.txt", "summary");

        var listed = await Cli().RunAsync("run", Playbook($"""
                  files: ["{dump}", "{archive}"]
            """));

        Assert.True(listed.ExitCode == 0, listed.All);
        Assert.Equal(
            $"{await Sha256sumOf(archive)}  mongo_20261125_020000.tar.gz\n{await Sha256sumOf(dump)}  postgres_20261125_020000.sql.gz\n",
            await File.ReadAllTextAsync(Path.Combine(Day, "SHA256SUMS")));

        var patterned = await Cli().RunAsync("run", Playbook("""
                  folder: "{{ env.DAY }}"
                  pattern: "*.gz"
                  manifest: "{{ env.DAY }}/backups.sha256"
            """));

        Assert.True(patterned.ExitCode == 0, patterned.All);
        var check = await Sha256sumCheck(Day, "backups.sha256");
        Assert.True(check.ExitCode == 0, check.Output + check.Error);
        Assert.Equal(2, check.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain("backup_summary.txt", check.Output);
        Assert.DoesNotContain("SHA256SUMS", check.Output);
    }

    [Fact]
    public async Task Names_with_a_backslash_or_a_line_break_are_escaped_the_way_sha256sum_reads_them()
    {
        _dir.Write("backups/2026-11-25/back\\slash.txt", "one");
        _dir.Write("backups/2026-11-25/line\nbreak.txt", "two");
        _dir.Write("backups/2026-11-25/plain.txt", "three");

        var result = await Cli().RunAsync("run", Playbook("""      folder: "{{ env.DAY }}" """));

        Assert.True(result.ExitCode == 0, result.All);
        var check = await Sha256sumCheck(Day);
        Assert.True(check.ExitCode == 0, check.Output + check.Error);
        Assert.Equal(3, check.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task The_log_file_the_run_is_still_writing_is_left_out_so_the_manifest_stays_valid()
    {
        RandomFile("backups/2026-11-25/postgres_20261125_020000.sql.gz", 10_000);

        var result = await Cli().RunAsync("run", Playbook(
            """      folder: "{{ env.DAY }}" """,
            """log: "{{ env.DAY }}/backup_20261125_020000.log" """));

        Assert.True(result.ExitCode == 0, result.All);
        Assert.True(new FileInfo(Path.Combine(Day, "backup_20261125_020000.log")).Length > 0);
        Assert.DoesNotContain("backup_20261125_020000.log", await File.ReadAllTextAsync(Path.Combine(Day, "SHA256SUMS")));
        var check = await Sha256sumCheck(Day);
        Assert.True(check.ExitCode == 0, check.Output + check.Error);
    }

    [Fact]
    public async Task A_listed_file_that_does_not_exist_fails_the_step_and_writes_no_manifest()
    {
        var dump = RandomFile("backups/2026-11-25/postgres_20261125_020000.sql.gz", 1000);
        var missing = Path.Combine(Day, "mongo_20261125_020000.tar.gz");

        var result = await Cli().RunAsync("run", Playbook($"""
                  files: ["{dump}", "{missing}"]
            """));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"cannot checksum files that do not exist: {missing}", result.All);
        Assert.False(File.Exists(Path.Combine(Day, "SHA256SUMS")));
    }

    [Fact]
    public async Task A_dry_run_lists_the_files_and_writes_no_manifest()
    {
        RandomFile("backups/2026-11-25/postgres_20261125_020000.sql.gz", 1000);
        var playbook = Playbook("""      folder: "{{ env.DAY }}" """);
        var before = _dir.Snapshot();

        var result = await Cli().RunAsync("run", playbook, "--dry-run");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(before, _dir.Snapshot().Where(p => !p.StartsWith(_dir["state"], StringComparison.Ordinal)));
        Assert.Contains($"hash {Day}/postgres_20261125_020000.sql.gz", result.Output);
        Assert.Contains($"write {Day}/SHA256SUMS", result.Output);
    }
}
