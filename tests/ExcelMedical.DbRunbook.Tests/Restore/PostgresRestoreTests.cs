using Amazon.S3.Model;
using ExcelMedical.DbRunbook.Testing.S3;
using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Restore;

/// <summary>postgres.restore against the real PostgreSQL fixture: backups made by postgres.dump, brought back and compared.</summary>
public sealed class PostgresRestoreTests(SampleDatabase database) : IClassFixture<SampleDatabase>, IAsyncLifetime
{
    private const string Day = "2026-11-24";
    private const string DumpName = "postgres_20261124_020000.sql.gz";

    private readonly TempDirectory _dir = new();
    private readonly List<string> _databases = [];

    private string DayFolder => _dir[$"backups/{Day}"];

    private string DumpFile => Path.Combine(DayFolder, DumpName);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var name in _databases)
        {
            await database.Server.DropDatabaseAsync(name);
        }

        _dir.Dispose();
    }

    /// <summary>A database name for the test to restore into, dropped afterwards.</summary>
    private string NewTarget(string suffix = "restored")
    {
        var name = $"{database.Name}_{suffix}";
        _databases.Add(name);
        return name;
    }

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

    private const string Connection = """
        connections:
          postgres:
            host: "{{ env.POSTGRES_HOST }}"
            port: "{{ env.POSTGRES_PORT }}"
            user: "{{ env.POSTGRES_USER }}"
            password: "{{ env.POSTGRES_PASSWORD }}"
            database: "{{ env.POSTGRES_DB }}"
        """;

    private async Task BackUpAsync(string dumpOptions = "", string extraSteps = "", Dictionary<string, string>? environment = null)
    {
        var playbook = _dir.Write("pgbackup.yaml", $$$"""
            name: pgbackup
            vars:
              day: "{{ env.ROOT }}/{{{Day}}}"
            {{{Connection}}}
            steps:
              - id: pg_dump
                uses: postgres.dump
                with:
                  file: "{{ vars.day }}/{{{DumpName}}}"
                  table_checksums: true
            {{{dumpOptions}}}
              - id: pg_verify
                uses: postgres.verify
                with:
                  file: "{{ steps.pg_dump.outputs.file }}"
                  dump_step: pg_dump
              - id: checksums
                uses: checksum
                with:
                  folder: "{{ vars.day }}"
                  pattern: "*.gz"
            {{{extraSteps}}}
            """);
        var result = await Cli(environment).RunAsync("run", playbook);
        Assert.True(result.ExitCode == 0, result.All);
    }

    private async Task<CliResult> RestoreAsync(string with, Dictionary<string, string>? environment = null)
    {
        var playbook = _dir.Write("pgrestore.yaml", $$$"""
            name: pgrestore
            {{{Connection}}}
            steps:
              - id: restore
                uses: postgres.restore
                with:
            {{{with}}}
            """);
        return await Cli(environment).RunAsync("run", playbook);
    }

    private async Task AssertIdenticalAsync(string restored)
    {
        Assert.Equal(await TableSnapshot.TakeAsync(database.ConnectionString), await TableSnapshot.TakeAsync(database.Server.ConnectionString(restored)));
        Assert.Equal(await PostgresStructure.TakeAsync(database.ConnectionString), await PostgresStructure.TakeAsync(database.Server.ConnectionString(restored)));
    }

    [Fact]
    public async Task A_backup_restores_into_a_new_database_with_every_table_index_and_constraint_identical()
    {
        await BackUpAsync();
        var target = NewTarget();

        var result = await RestoreAsync($"""
                  folder: "{DayFolder}"
                  target: {target}
                  table_checksums: true
            """);

        Assert.True(result.ExitCode == 0, result.All);
        await AssertIdenticalAsync(target);
        var outputs = RunRecords.Latest(_dir["state"], "pgrestore").Step("restore").GetProperty("outputs");
        Assert.Equal(DumpFile, outputs.GetProperty("file").GetString());
        Assert.Equal("local", outputs.GetProperty("source").GetString());
        Assert.True(outputs.GetProperty("created").GetBoolean());
        Assert.Equal(database.Load.ExpectedRowCounts.Count, outputs.GetProperty("tables").GetInt32());
        var source = await TableSnapshot.TakeAsync(database.ConnectionString);
        Assert.Equal(source["public.users"], outputs.GetProperty("table_checksums").GetProperty("public.users").GetString());
        Assert.DoesNotContain(database.Server.Password, RunRecords.LatestText(_dir["state"], "pgrestore"));
    }

    [Theory]
    [InlineData("flipped byte")]
    [InlineData("truncated")]
    public async Task A_corrupted_dump_is_refused_before_anything_is_written(string damage)
    {
        await BackUpAsync();
        var bytes = await File.ReadAllBytesAsync(DumpFile);
        if (damage == "truncated")
        {
            bytes = bytes[..(bytes.Length * 2 / 3)];
        }
        else
        {
            bytes[bytes.Length / 2] ^= 0x40;
        }

        var broken = _dir.Write("broken/" + DumpName, string.Empty);
        await File.WriteAllBytesAsync(broken, bytes);
        var target = NewTarget();

        var result = await RestoreAsync($"""
                  file: "{broken}"
                  target: {target}
            """);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"refusing to restore {broken}: it failed verification", result.All);
        Assert.Contains($"nothing was written to {target}", result.All);
        Assert.False(await PostgresStructure.DatabaseExistsAsync(database.Server.ConnectionString(), target), "the target database was created for a corrupt dump");
    }

    [Fact]
    public async Task Restoring_into_the_production_database_is_refused_without_the_confirmation_option()
    {
        await BackUpAsync();
        var before = await TableSnapshot.TakeAsync(database.ConnectionString);

        var result = await RestoreAsync($"""
                  folder: "{DayFolder}"
                  target: {database.Name}
                  clean: true
            """);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"refusing to restore into {database.Name}: it is the connection's own database", result.All);
        Assert.Contains("confirm_overwrite_production: true", result.All);
        Assert.Equal(before, await TableSnapshot.TakeAsync(database.ConnectionString));

        var plan = await Cli().RunAsync("run", "--dry-run", _dir["pgrestore.yaml"]);
        Assert.Contains("refuse:", plan.All);
    }

    [Fact]
    public async Task With_confirmation_and_clean_the_guides_restore_brings_production_back_to_the_backup()
    {
        // A production of its own: a restored copy of the sample database, backed up, then damaged.
        await BackUpAsync();
        var production = NewTarget("production");
        Assert.Equal(0, (await RestoreAsync($"""
                  folder: "{DayFolder}"
                  target: {production}
            """)).ExitCode);
        var environment = new Dictionary<string, string> { ["POSTGRES_DB"] = production };
        await PostgresStructure.ExecuteAsync(database.Server.ConnectionString(production), "DELETE FROM audit_logs WHERE id % 2 = 0; UPDATE users SET email = 'x' || email WHERE id < 10");
        Assert.NotEqual(await TableSnapshot.TakeAsync(database.ConnectionString), await TableSnapshot.TakeAsync(database.Server.ConnectionString(production)));

        var refusedWithoutClean = await RestoreAsync($"""
                  folder: "{DayFolder}"
                  target: {production}
                  confirm_overwrite_production: true
            """, environment);
        Assert.Equal(1, refusedWithoutClean.ExitCode);
        Assert.Contains("set clean: true", refusedWithoutClean.All);

        var result = await RestoreAsync($"""
                  folder: "{DayFolder}"
                  target: {production}
                  clean: true
                  confirm_overwrite_production: true
            """, environment);

        Assert.True(result.ExitCode == 0, result.All);
        await AssertIdenticalAsync(production);
    }

    [Fact]
    public async Task A_non_empty_target_is_refused_without_clean()
    {
        await BackUpAsync();
        var target = NewTarget();
        Assert.Equal(0, (await RestoreAsync($"""
                  folder: "{DayFolder}"
                  target: {target}
            """)).ExitCode);

        var again = await RestoreAsync($"""
                  folder: "{DayFolder}"
                  target: {target}
            """);

        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"refusing to restore into {target}", again.All);
        Assert.Contains("it exists and holds", again.All);
    }

    [Fact]
    public async Task A_directory_format_dump_is_restored_with_parallel_jobs()
    {
        await BackUpAsync(dumpOptions: """
                  format: directory
                  jobs: 2
            """);
        var target = NewTarget();

        var result = await RestoreAsync($"""
                  file: "{DumpFile}"
                  target: {target}
                  jobs: 2
            """);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("--jobs=2", result.All);
        Assert.Equal("directory", RunRecords.Latest(_dir["state"], "pgrestore").Step("restore").GetProperty("outputs").GetProperty("format").GetString());
        await AssertIdenticalAsync(target);
    }

    [Fact]
    public async Task A_dump_that_no_longer_matches_its_sha256sums_entry_is_refused()
    {
        await BackUpAsync();
        var manifest = Path.Combine(DayFolder, "SHA256SUMS");
        await File.WriteAllTextAsync(manifest, $"{new string('0', 64)}  {DumpName}\n");
        var target = NewTarget();

        var result = await RestoreAsync($"""
                  folder: "{DayFolder}"
                  target: {target}
            """);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"but {manifest} records {new string('0', 64)}", result.All);
        Assert.False(await PostgresStructure.DatabaseExistsAsync(database.Server.ConnectionString(), target));
    }

    [Fact]
    public async Task A_day_only_in_s3_is_downloaded_checked_against_its_sha256_and_restored()
    {
        var s3 = await S3Server.Shared;
        var bucket = await s3.CreateBucketAsync("restore");
        var environment = new Dictionary<string, string>
        {
            ["S3_BACKUP_BUCKET"] = bucket,
            ["S3_URL"] = s3.ServiceUrl.ToString(),
            ["AWS_ACCESS_KEY_ID"] = s3.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = s3.SecretKey,
        };
        await BackUpAsync(extraSteps: $$$"""
              - id: s3
                uses: s3.upload
                with:
                  folder: "{{ vars.day }}"
                  prefix: "{{{Day}}}/"
                  service_url: "{{ env.S3_URL }}"
                  force_path_style: true
            """, environment: environment);
        Directory.Delete(DayFolder, recursive: true);
        var target = NewTarget();
        var restore = $$$"""
                  folder: "{{{DayFolder}}}"
                  target: {{{target}}}
                  download_folder: "{{{_dir["downloads"]}}}"
                  s3:
                    prefix: "{{{Day}}}/"
                    service_url: "{{ env.S3_URL }}"
                    force_path_style: true
            """;

        var result = await RestoreAsync(restore, environment);

        Assert.True(result.ExitCode == 0, result.All);
        await AssertIdenticalAsync(target);
        var outputs = RunRecords.Latest(_dir["state"], "pgrestore").Step("restore").GetProperty("outputs");
        Assert.Equal($"s3://{bucket}/{Day}/{DumpName}", outputs.GetProperty("source").GetString());
        Assert.Contains("SHA-256 matches its sha256 metadata and s3://", result.All);
        Assert.Empty(Directory.GetFiles(_dir["downloads"]));

        // The same key with other bytes (a damaged or swapped copy) is refused before anything is written.
        using var client = s3.CreateClient();
        var put = new PutObjectRequest { BucketName = bucket, Key = $"{Day}/{DumpName}", ContentBody = "not a dump" };
        var original = await client.GetObjectMetadataAsync(bucket, $"{Day}/{DumpName}");
        put.Metadata.Add("sha256", original.Metadata["sha256"]);

        await client.PutObjectAsync(put);
        var other = NewTarget("other");
        var refused = await RestoreAsync(restore.Replace(target, other, StringComparison.Ordinal), environment);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("is not the backup", refused.All);
        Assert.False(await PostgresStructure.DatabaseExistsAsync(database.Server.ConnectionString(), other));
        Assert.Empty(Directory.GetFiles(_dir["downloads"]));
    }
}
