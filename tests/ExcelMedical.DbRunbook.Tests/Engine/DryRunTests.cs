using ExcelMedical.DbRunbook.Testing.Postgres;
using ExcelMedical.DbRunbook.Testing.Slack;
using ExcelMedical.DbRunbook.Testing.Smtp;
using ExcelMedical.DbRunbook.Tests.Maintenance;
using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Engine;

public sealed class DryRunTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly SmtpServer _smtp = new();
    private readonly SlackReceiver _slack = new();

    public void Dispose()
    {
        _smtp.Dispose();
        _slack.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_dry_run_of_steps_that_write_delete_and_send_changes_nothing_and_sends_nothing()
    {
        _dir.Write("victim.txt", "precious");
        _dir.Write("summary.sbn", "{{ run.status }}");
        var playbook = _dir.Write("destructive.yaml", """
            name: destructive
            log: "{{ env.OUT }}/logs/destructive.log"
            connections:
              postgres: { host: "{{ env.POSTGRES_HOST }}", port: "{{ env.POSTGRES_PORT }}", user: "{{ env.POSTGRES_USER }}", password: "{{ env.POSTGRES_PASSWORD }}", database: "{{ env.POSTGRES_DB }}" }
            steps:
              - id: write
                uses: shell
                with: { program: touch, args: ["{{ env.OUT }}/created.txt"] }
              - id: delete
                uses: shell
                with: { program: rm, args: ["-f", "{{ env.OUT }}/victim.txt"] }
              - id: dump
                uses: postgres.dump
                with: { file: "{{ env.OUT }}/backups/2026-11-25/postgres_20261125_020000.sql.gz" }
              - id: summary
                uses: report.render
                always: true
                with: { template: summary.sbn, output: "{{ env.OUT }}/summary.txt" }
              - id: slack_now
                uses: notify.slack
                with: { webhook: "{{ env.SLACK_WEBHOOK_URL }}" }
            notify:
              - uses: notify.email
                on: [success, failure]
                with: { to: dba@example.com }
              - uses: notify.slack
                on: [success, failure]
                with: { webhook: "{{ env.SLACK_WEBHOOK_URL }}" }
            """);
        var server = await PostgresServer.Shared;
        await using var database = await FreshDatabase.WithSampleDataAsync(ReferenceClock.Sunday, "dry");
        var environment = database.GuideEnvironment();
        var cli = new RunbookCliHarness(_dir["state"], new Dictionary<string, string>(environment)
        {
            ["OUT"] = _dir.Path,
            ["SLACK_WEBHOOK_URL"] = _slack.WebhookUrl.ToString(),
            ["SMTP_HOST"] = _smtp.Host,
            ["SMTP_PORT"] = _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var before = _dir.Snapshot();

        var result = await cli.RunAsync("run", playbook, "--dry-run");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(before, _dir.Snapshot().Where(path => !path.StartsWith(_dir["state"], StringComparison.Ordinal)));
        Assert.Empty(_smtp.Messages);
        Assert.Empty(_slack.Requests);

        // The plan shows every step with its values resolved, secrets masked.
        Assert.Contains($"touch {_dir.Path}/created.txt", result.Output);
        Assert.Contains($"rm -f {_dir.Path}/victim.txt", result.Output);
        Assert.Contains($"{server.User}@{server.Host}:{server.Port}/{database.Name} (", result.Output);
        Assert.Contains("postgres_20261125_020000.sql.gz", result.Output);
        Assert.Contains("email the run summary to dba@example.com", result.Output);
        Assert.DoesNotContain(server.Password, result.All);
    }

    [Fact]
    public async Task A_dry_run_that_cannot_reach_a_database_it_would_act_on_says_so_and_exits_1()
    {
        var playbook = _dir.Write("unreachable.yaml", """
            name: unreachable
            connections:
              postgres: { host: 127.0.0.1, port: 1, user: nobody, password: "{{ env.POSTGRES_PASSWORD }}", database: excel_medical }
            steps:
              - id: dump
                uses: postgres.dump
                with: { file: "{{ env.OUT }}/backups/postgres.sql.gz" }
              - id: purge
                uses: postgres.retention
                continue_on_error: true
                with: { tables: [{ table: audit_logs, days: 365 }] }
            """);
        var cli = new RunbookCliHarness(_dir["state"], new Dictionary<string, string> { ["OUT"] = _dir.Path, ["POSTGRES_PASSWORD"] = "dry-secret-123" });
        var before = _dir.Snapshot();

        var result = await cli.RunAsync("run", playbook, "--dry-run");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Dry run failed: the dry run is incomplete: step 'dump' (postgres.dump) could not be planned: cannot connect to PostgreSQL nobody@127.0.0.1:1/excel_medical", result.Output);
        Assert.Contains("nothing was changed", result.Output);
        Assert.DoesNotContain("dry-secret-123", result.All);
        Assert.Equal(before, _dir.Snapshot().Where(path => !path.StartsWith(_dir["state"], StringComparison.Ordinal)));
    }
}
