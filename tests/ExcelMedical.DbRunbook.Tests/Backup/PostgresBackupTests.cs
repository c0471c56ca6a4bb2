using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Backup;

public sealed class PostgresBackupTests(SampleDatabase database) : IClassFixture<SampleDatabase>, IDisposable
{
    private const string DumpName = "postgres_20261125_020000.sql.gz";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Day => _dir["backups/2026-11-25"];

    private string DumpFile => Path.Combine(Day, DumpName);

    private RunbookCliHarness Cli(Dictionary<string, string>? extra = null)
    {
        var environment = database.GuideEnvironment();
        environment["ROOT"] = _dir["backups"];
        foreach (var (key, value) in extra ?? [])
        {
            environment[key] = value;
        }

        return new RunbookCliHarness(_dir["state"], environment);
    }

    private string Playbook(string dumpOptions = "", bool verify = true) => _dir.Write("pgbackup.yaml", $$$"""
        name: pgbackup
        vars:
          day: "{{ env.ROOT }}/2026-11-25"
        connections:
          postgres:
            host: "{{ env.POSTGRES_HOST }}"
            port: "{{ env.POSTGRES_PORT }}"
            user: "{{ env.POSTGRES_USER }}"
            password: "{{ env.POSTGRES_PASSWORD }}"
            database: "{{ env.POSTGRES_DB }}"
        steps:
          - id: pg_dump
            uses: postgres.dump
            with:
              file: "{{ vars.day }}/{{{DumpName}}}"
              table_checksums: true
        {{{dumpOptions}}}
        {{{(verify ? VerifyStep : string.Empty)}}}
        """);

    private const string VerifyStep = """
          - id: pg_verify
            uses: postgres.verify
            with:
              file: "{{ steps.pg_dump.outputs.file }}"
              dump_step: pg_dump
              report: "{{ vars.day }}/verification/postgres_backup_verify.txt"
        """;

    private string VerifyOnlyPlaybook(string file) => _dir.Write("verify.yaml", $$$"""
        name: verifyonly
        steps:
          - id: pg_verify
            uses: postgres.verify
            with:
              file: "{{{file}}}"
              report: "{{{_dir["verify-report.txt"]}}}"
        """);

    [Fact]
    public async Task The_guides_restore_procedure_brings_the_dump_back_with_every_table_identical()
    {
        var result = await Cli().RunAsync("run", Playbook());
        Assert.True(result.ExitCode == 0, result.All);

        var record = RunRecords.Latest(_dir["state"], "pgbackup");
        var outputs = record.Step("pg_dump").GetProperty("outputs");
        Assert.Equal(DumpFile, outputs.GetProperty("file").GetString());
        var counted = record.Step("pg_verify").GetProperty("outputs").GetProperty("table_rows");
        foreach (var (table, rows) in database.Load.ExpectedRowCounts)
        {
            Assert.Equal(rows, counted.GetProperty("public." + table).GetInt64());
        }

        var restored = await database.Server.CreateDatabaseAsync("restored");
        var restore = await Shell.RunAsync(
            $"gunzip -c {DumpFile} | \\\n  pg_restore -d {restored} --clean --if-exists",
            database.Server.ClientEnvironment(restored));
        Assert.True(restore.ExitCode == 0, restore.Error);

        var source = await TableSnapshot.TakeAsync(database.ConnectionString);
        var copy = await TableSnapshot.TakeAsync(database.Server.ConnectionString(restored));
        Assert.Equal(database.Load.ExpectedRowCounts.Count, source.Count);
        Assert.Equal(source, copy);
        Assert.Equal(source["public.users"], outputs.GetProperty("table_checksums").GetProperty("public.users").GetString());
        await database.Server.DropDatabaseAsync(restored);
    }

    [Fact]
    public async Task The_directory_format_dumps_with_parallel_jobs_verifies_and_restores_with_pg_restore_j()
    {
        var folder = Path.Combine(Day, "postgres_20261125_020000.dir");
        var playbook = _dir.Write("pgdir.yaml", $$$"""
            name: pgdir
            connections:
              postgres: { host: "{{ env.POSTGRES_HOST }}", port: "{{ env.POSTGRES_PORT }}", user: "{{ env.POSTGRES_USER }}", password: "{{ env.POSTGRES_PASSWORD }}", database: "{{ env.POSTGRES_DB }}" }
            steps:
              - id: pg_dump
                uses: postgres.dump
                with: { file: "{{{folder}}}", format: directory, jobs: 2 }
              - id: pg_verify
                uses: postgres.verify
                with: { file: "{{ steps.pg_dump.outputs.file }}", dump_step: pg_dump }
            """);

        var result = await Cli().RunAsync("run", playbook);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.True(File.Exists(Path.Combine(folder, "toc.dat")));
        Assert.False(Directory.Exists(folder + ".partial"));
        var counted = RunRecords.Latest(_dir["state"], "pgdir").Step("pg_verify").GetProperty("outputs").GetProperty("table_rows");
        Assert.Equal(database.Load.ExpectedRowCounts["audit_logs"], counted.GetProperty("public.audit_logs").GetInt64());

        var restored = await database.Server.CreateDatabaseAsync("restored_dir");
        var restore = await Shell.RunAsync($"pg_restore -j 2 -d {restored} {folder}", database.Server.ClientEnvironment(restored));
        Assert.True(restore.ExitCode == 0, restore.Error);
        Assert.Equal(await TableSnapshot.TakeAsync(database.ConnectionString), await TableSnapshot.TakeAsync(database.Server.ConnectionString(restored)));
        await database.Server.DropDatabaseAsync(restored);
    }

    [Fact]
    public async Task The_dump_is_plain_gzip_owner_only_and_verified_with_a_report()
    {
        var result = await Cli().RunAsync("run", Playbook());
        Assert.True(result.ExitCode == 0, result.All);

        var gzipTest = await Shell.RunAsync($"gzip -t {DumpFile}");
        Assert.True(gzipTest.ExitCode == 0, gzipTest.Error);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(DumpFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Day));
        Assert.False(File.Exists(DumpFile + ".partial"));

        var report = await File.ReadAllTextAsync(Path.Combine(Day, "verification/postgres_backup_verify.txt"));
        Assert.Contains("Result:              OK", report);
        Assert.Contains("TABLE DATA entries:  11", report);
        Assert.Contains("Tables in database:  11", report);
        Assert.Contains("public.audit_logs", report);

        var verify = RunRecords.Latest(_dir["state"], "pgbackup").Step("pg_verify").GetProperty("outputs");
        var dump = RunRecords.Latest(_dir["state"], "pgbackup").Step("pg_dump").GetProperty("outputs");
        Assert.Equal(dump.GetProperty("sha256").GetString(), verify.GetProperty("sha256").GetString());
        Assert.Equal(dump.GetProperty("uncompressed_bytes").GetInt64(), verify.GetProperty("decompressed_bytes").GetInt64());
    }

    [Fact]
    public async Task A_truncated_dump_passes_the_guides_listing_but_fails_verification()
    {
        Assert.Equal(0, (await Cli().RunAsync("run", Playbook(verify: false))).ExitCode);
        var truncated = _dir["truncated.sql.gz"];
        var bytes = await File.ReadAllBytesAsync(DumpFile);
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 4)]);

        // Why reading the TOC is not enough: the guide's own check accepts this file.
        var guideCheck = await Shell.RunAsync($"set +o pipefail; gunzip -c {truncated} 2>/dev/null | pg_restore -l > /dev/null", database.Server.ClientEnvironment());
        Assert.Equal(0, guideCheck.ExitCode);

        var result = await Cli().RunAsync("run", VerifyOnlyPlaybook(truncated));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("failed verification", result.All);
        Assert.Contains("Result:              FAILED", await File.ReadAllTextAsync(_dir["verify-report.txt"]));
    }

    [Fact]
    public async Task A_dump_missing_only_its_last_gzip_trailer_fails_verification()
    {
        Assert.Equal(0, (await Cli().RunAsync("run", Playbook(verify: false))).ExitCode);
        var cut = _dir["no-trailer.sql.gz"];
        var bytes = await File.ReadAllBytesAsync(DumpFile);
        await File.WriteAllBytesAsync(cut, bytes[..^8]);

        var result = await Cli().RunAsync("run", VerifyOnlyPlaybook(cut));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("failed verification", result.All);
    }

    [Fact]
    public async Task A_dump_with_one_flipped_byte_fails_verification()
    {
        Assert.Equal(0, (await Cli().RunAsync("run", Playbook(verify: false))).ExitCode);
        var flipped = _dir["flipped.sql.gz"];
        var bytes = await File.ReadAllBytesAsync(DumpFile);
        bytes[bytes.Length * 2 / 3] ^= 0x01;
        await File.WriteAllBytesAsync(flipped, bytes);

        var result = await Cli().RunAsync("run", VerifyOnlyPlaybook(flipped));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("failed verification", result.All);
    }

    [Fact]
    public async Task An_existing_backup_is_never_overwritten()
    {
        Assert.Equal(0, (await Cli().RunAsync("run", Playbook(verify: false))).ExitCode);
        var first = await File.ReadAllBytesAsync(DumpFile);

        var again = await Cli().RunAsync("run", Playbook(verify: false));

        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists; a backup is never overwritten", again.All);
        Assert.Equal(first, await File.ReadAllBytesAsync(DumpFile));
    }

    [Fact]
    public async Task A_pg_dump_failing_midway_leaves_no_file_with_a_backup_name()
    {
        var realPgDump = Steps.Infrastructure.Postgres.PostgresTools.Locate("pg_dump", null, new Dictionary<string, string>());
        var wrapper = _dir.WriteExecutable("bin/pg_dump", $"""
            #!/bin/bash
            if [ "$1" = "--version" ]; then exec {realPgDump} --version; fi
            {realPgDump} "$@" | head -c 200000
            echo "pg_dump: error: simulated failure midway" >&2
            exit 1
            """);

        var result = await Cli().RunAsync("run", Playbook($"      pg_dump: {wrapper}"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("simulated failure midway", result.All);
        Assert.Empty(Directory.GetFiles(Day));
        Assert.Equal("skipped", RunRecords.Latest(_dir["state"], "pgbackup").Step("pg_verify").Status());
    }

    [Fact]
    public async Task The_password_reaches_pg_dump_through_its_environment_never_its_arguments()
    {
        var realPgDump = Steps.Infrastructure.Postgres.PostgresTools.Locate("pg_dump", null, new Dictionary<string, string>());
        var seen = _dir["seen.txt"];
        var wrapper = _dir.WriteExecutable("bin/pg_dump", $"""
            #!/bin/bash
            echo "ARGS $*" >> {seen}
            echo "PGPASSWORD=${"{"}PGPASSWORD:+set{"}"}" >> {seen}
            exec {realPgDump} "$@"
            """);

        var result = await Cli().RunAsync("run", Playbook($"      pg_dump: {wrapper}", verify: false));

        Assert.True(result.ExitCode == 0, result.All);
        var calls = await File.ReadAllTextAsync(seen);
        Assert.Contains("--format=custom", calls);
        Assert.Contains("PGPASSWORD=set", calls);
        Assert.DoesNotContain(database.Server.Password, calls);
    }

    [Fact]
    public async Task A_pg_dump_older_than_the_server_is_refused_before_dumping()
    {
        var wrapper = _dir.WriteExecutable("bin/pg_dump", """
            #!/bin/bash
            echo "pg_dump (PostgreSQL) 9.6.24"
            """);

        var result = await Cli().RunAsync("run", Playbook($"      pg_dump: {wrapper}", verify: false));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("pg_dump must be at least as new as the server", result.All);
        Assert.False(Directory.Exists(Day) && Directory.GetFiles(Day).Length > 0);
    }

    [Fact]
    public async Task A_full_disk_fails_with_a_clear_error_and_leaves_no_partial_file()
    {
        var mount = _dir["tiny"];
        Directory.CreateDirectory(mount);
        var mounted = await Shell.RunAsync($"mount -t tmpfs -o size=256k tmpfs {mount}");
        Assert.True(mounted.ExitCode == 0, "this test needs root to mount a 256 KiB tmpfs: " + mounted.Error);
        try
        {
            var environment = new Dictionary<string, string> { ["ROOT"] = mount };
            var result = await Cli(environment).RunAsync("run", Playbook(verify: false));

            Assert.Equal(1, result.ExitCode);
            Assert.True(result.All.Contains("the disk is full", StringComparison.Ordinal), result.All);
            Assert.Empty(Directory.GetFiles(Path.Combine(mount, "2026-11-25")));
        }
        finally
        {
            await Shell.RunAsync($"umount {mount}");
        }
    }

    [Fact]
    public async Task Too_little_free_disk_for_the_last_backups_size_is_refused_before_dumping()
    {
        _dir.Write("backups/2026-11-24/postgres_20261124_020000.sql.gz", new string('x', 1 << 20));

        // A factor no disk can satisfy: 1 MiB × 10^12 bytes free needed.
        var result = await Cli().RunAsync("run", Playbook("      free_space_factor: 1000000000000", verify: false));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not enough free disk", result.All);
        Assert.Contains("the last backup was 1.0 MiB", result.All);
        Assert.False(Directory.Exists(Day) && Directory.GetFiles(Day).Length > 0);
    }

    [Fact]
    public async Task An_unreachable_server_fails_with_a_message_naming_host_and_port()
    {
        var environment = new Dictionary<string, string> { ["POSTGRES_PORT"] = "1" };

        var result = await Cli(environment).RunAsync("run", Playbook(verify: false));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot connect to PostgreSQL", result.All);
        Assert.Contains(":1/", result.All);
        Assert.DoesNotContain(database.Server.Password, result.All);
    }
}
