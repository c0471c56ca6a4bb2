using System.Security.Cryptography;
using Amazon.S3.Model;
using ExcelMedical.DbRunbook.Testing.Mongo;
using ExcelMedical.DbRunbook.Testing.S3;
using ExcelMedical.DbRunbook.Testing.Slack;
using ExcelMedical.DbRunbook.Testing.Smtp;
using ExcelMedical.DbRunbook.Tests.Support;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.Tests.Backup;

/// <summary>The shipped playbooks/backup.yaml, end to end against every real component.</summary>
public sealed class BackupPlaybookTests(SampleDatabase database) : IClassFixture<SampleDatabase>, IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly SmtpServer _smtp = new();
    private readonly SlackReceiver _slack = new();
    private MongoEndpoint _mongo = null!;
    private string _mongoDatabase = string.Empty;
    private S3Server _s3 = null!;
    private string _bucket = string.Empty;

    private string Root => _dir["backups"];

    public async Task InitializeAsync()
    {
        _mongo = await MongoEndpoint.Shared;
        _mongoDatabase = _mongo.UniqueDatabaseName("excel_medical");
        await MongoSampleData.SeedAsync(_mongo.CreateClient().GetDatabase(_mongoDatabase), 1, DateTimeOffset.UtcNow);
        _s3 = await S3Server.Shared;
        _bucket = await _s3.CreateBucketAsync("excel-medical-backups");
    }

    public async Task DisposeAsync()
    {
        await _mongo.DropDatabaseAsync(_mongoDatabase);
        _smtp.Dispose();
        _slack.Dispose();
        _dir.Dispose();
    }

    private RunbookCliHarness Cli(Action<Dictionary<string, string>>? adjust = null)
    {
        var environment = database.GuideEnvironment();
        environment["MONGO_URI"] = new MongoUrlBuilder(_mongo.ConnectionString) { DatabaseName = _mongoDatabase }.ToString();
        environment["BACKUP_ROOT_DIR"] = Root;
        environment["S3_BACKUP_BUCKET"] = _bucket;
        environment["S3_ENDPOINT_URL"] = _s3.ServiceUrl.ToString();
        environment["AWS_ACCESS_KEY_ID"] = _s3.AccessKey;
        environment["AWS_SECRET_ACCESS_KEY"] = _s3.SecretKey;
        environment["ALERT_EMAIL"] = "admin@excelmedicalstaffing.com";
        environment["SMTP_HOST"] = _smtp.Host;
        environment["SMTP_PORT"] = _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["SLACK_WEBHOOK_URL"] = _slack.WebhookUrl.ToString();
        adjust?.Invoke(environment);
        return new RunbookCliHarness(_dir["state"], environment);
    }

    /// <summary>The shipped playbook, unchanged except for the given text replacements (e.g. shorter retry delays).</summary>
    private string ShippedPlaybook(params (string From, string To)[] replacements)
    {
        var text = File.ReadAllText(RepositoryRoot.File("playbooks/backup.yaml"));
        foreach (var (from, to) in replacements)
        {
            Assert.Contains(from, text);
            text = text.Replace(from, to, StringComparison.Ordinal);
        }

        if (replacements.Length == 0)
        {
            return RepositoryRoot.File("playbooks/backup.yaml");
        }

        Directory.CreateDirectory(_dir["playbooks/templates"]);
        File.Copy(RepositoryRoot.File("playbooks/templates/backup_summary.sbn"), _dir["playbooks/templates/backup_summary.sbn"]);
        return _dir.Write("playbooks/backup.yaml", text);
    }

    private string DayFolder() => Directory.GetDirectories(Root).Single();

    [Fact]
    public async Task A_backup_run_produces_the_guides_tree_uploads_verified_copies_and_notifies()
    {
        var result = await Cli().RunAsync("run", ShippedPlaybook());

        Assert.True(result.ExitCode == 0, result.All);
        var day = DayFolder();
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", Path.GetFileName(day));
        var files = Directory.GetFiles(day, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(day, f)).Order(StringComparer.Ordinal).ToList();
        Assert.Collection(
            files,
            f => Assert.Equal("SHA256SUMS", f),
            f => Assert.Matches(@"^backup_\d{8}_\d{6}\.log$", f),
            f => Assert.Equal("backup_summary.txt", f),
            f => Assert.Matches(@"^mongo_\d{8}_\d{6}\.tar\.gz$", f),
            f => Assert.Matches(@"^postgres_\d{8}_\d{6}\.sql\.gz$", f),
            f => Assert.Equal("verification/mongo_backup_verify.txt", f),
            f => Assert.Equal("verification/postgres_backup_verify.txt", f));
        Assert.All(files, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(day, f))));
        Assert.Equal(0, (await Shell.RunAsync($"cd {day} && sha256sum -c --quiet SHA256SUMS")).ExitCode);

        var summary = await File.ReadAllTextAsync(Path.Combine(day, "backup_summary.txt"));
        Assert.Contains("Outcome:   SUCCEEDED", summary);
        Assert.Contains("rows counted in the dump", summary);
        Assert.DoesNotContain("00:00:", summary);
        Assert.DoesNotContain(database.Server.Password, summary);

        using var s3 = _s3.CreateClient();
        var prefix = Path.GetFileName(day) + "/";
        var objects = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, Prefix = prefix });
        foreach (var archive in files.Where(f => f.EndsWith(".gz", StringComparison.Ordinal)))
        {
            Assert.Contains(prefix + archive, objects.S3Objects.Select(o => o.Key));
            using var response = await s3.GetObjectAsync(_bucket, prefix + archive);
            var remote = Convert.ToHexStringLower(await SHA256.HashDataAsync(response.ResponseStream));
            var local = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(day, archive))));
            Assert.Equal(local, remote);
        }

        var mail = await _smtp.WaitForMessageAsync(null, TimeSpan.FromSeconds(10));
        Assert.Contains("backup", mail.Subject);
        Assert.Contains("succeeded", mail.Subject);
        Assert.Contains("pg_dump", mail.TextBody);
        var slack = await _slack.WaitForRequestAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("#2EB67D", slack.Body);
    }

    [Fact]
    public async Task A_pg_dump_failing_midway_fails_the_run_keeps_old_backups_and_notifies_the_error()
    {
        var old = Directory.CreateDirectory(Path.Combine(Root, "2020-01-01")).FullName;
        var realPgDump = Steps.Infrastructure.Postgres.PostgresTools.Locate("pg_dump", null, new Dictionary<string, string>());
        _dir.WriteExecutable("bin/pg_dump", $"""
            #!/bin/bash
            if [ "$1" = "--version" ]; then exec {realPgDump} --version; fi
            {realPgDump} "$@" | head -c 100000
            echo "pg_dump: error: Dumping the contents of table \"audit_logs\" failed: connection lost" >&2
            exit 1
            """);

        var result = await Cli(env => env["PATH"] = _dir["bin"] + ":" + Environment.GetEnvironmentVariable("PATH")).RunAsync("run", ShippedPlaybook());

        Assert.Equal(1, result.ExitCode);
        var record = RunRecords.Latest(_dir["state"], "backup");
        Assert.Equal("failed", record.Step("pg_dump").Status());
        Assert.Equal("skipped", record.Step("prune").Status());
        Assert.True(Directory.Exists(old));
        var day = Directory.GetDirectories(Root).Single(d => d != old);
        Assert.Empty(Directory.GetFiles(day, "postgres_*"));
        Assert.True(File.Exists(Path.Combine(day, "backup_summary.txt")), "the always summary step did not run");

        var mail = await _smtp.WaitForMessageAsync(null, TimeSpan.FromSeconds(10));
        Assert.Contains("failed", mail.Subject);
        Assert.Contains("connection lost", mail.TextBody);
        var slack = await _slack.WaitForRequestAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("#E01E5A", slack.Body);
        Assert.Contains("connection lost", slack.Body);
    }

    [Fact]
    public async Task An_unreachable_s3_fails_the_upload_clearly_and_keeps_the_local_backup()
    {
        var result = await Cli(env => env["S3_ENDPOINT_URL"] = "http://127.0.0.1:1").RunAsync("run", ShippedPlaybook(("retry_delay: 1m", "retry_delay: 10ms")));

        Assert.Equal(1, result.ExitCode);
        var record = RunRecords.Latest(_dir["state"], "backup");
        Assert.Equal("failed", record.Step("s3").Status());
        Assert.Contains("127.0.0.1:1", record.Step("s3").GetProperty("message").GetString());
        Assert.Single(Directory.GetFiles(DayFolder(), "postgres_*.sql.gz"));
        Assert.Equal("succeeded", record.Step("pg_verify").Status());
    }

    [Fact]
    public async Task A_mail_server_that_is_down_does_not_stop_slack_and_the_run_reports_it()
    {
        var result = await Cli(env =>
        {
            env["SMTP_PORT"] = "1";
            env.Remove("S3_BACKUP_BUCKET");
        }).RunAsync("run", ShippedPlaybook());

        Assert.Contains("notify.email was not delivered", result.All);
        var slack = await _slack.WaitForRequestAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("backup", slack.Body);
        var record = RunRecords.Latest(_dir["state"], "backup");
        Assert.Equal("succeeded", record.GetProperty("status").GetString());
        Assert.Contains(record.GetProperty("notifications").EnumerateArray(), n => n.Status() == "failed");
    }
}
