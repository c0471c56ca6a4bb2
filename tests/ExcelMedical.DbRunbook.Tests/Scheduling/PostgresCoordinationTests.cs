using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Scheduling;
using ExcelMedical.DbRunbook.Engine.State;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Coordination;
using ExcelMedical.DbRunbook.Testing.Postgres;
using ExcelMedical.DbRunbook.Testing.Slack;
using ExcelMedical.DbRunbook.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using static ExcelMedical.DbRunbook.Tests.Scheduling.SchedulerTimingTests;

namespace ExcelMedical.DbRunbook.Tests.Scheduling;

/// <summary>
/// Several schedulers ("hosts", each with its own state directory and clock skew) coordinating
/// through the real PostgreSQL fixture: every tick runs exactly once, and the schedule goes on
/// when a host goes away.
/// </summary>
public sealed class PostgresCoordinationTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _dir = new();
    private PostgresServer _server = null!;
    private string _database = string.Empty;

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.Shared;
        _database = await _server.CreateDatabaseAsync("schedule");
    }

    public async Task DisposeAsync() => await _server.DropDatabaseAsync(_database);

    public void Dispose() => _dir.Dispose();

    private Dictionary<string, string> Environment(string host) => new(StringComparer.Ordinal)
    {
        ["PG_HOST"] = _server.Host,
        ["PG_PORT"] = _server.Port.ToString(CultureInfo.InvariantCulture),
        ["PG_USER"] = _server.User,
        ["PG_PASSWORD"] = _server.Password,
        ["PG_DB"] = _database,
        ["HOST_NAME"] = host,
    };

    private static string Playbook(string schedule, string step) => $$$"""
        name: ticker
        schedule: "{{{schedule}}}"
        coordination: pg
        connections:
          pg:
            host: "{{ env.PG_HOST }}"
            port: "{{ env.PG_PORT }}"
            user: "{{ env.PG_USER }}"
            password: "{{ env.PG_PASSWORD }}"
            database: "{{ env.PG_DB }}"
        steps:
        {{{step}}}
        """;

    private const string EchoHost = """
          - id: hello
            uses: test.echo
            with: { values: { host: "{{ env.HOST_NAME }}" } }
        """;

    private SchedulerHarness Host(string name, FakeTimeProvider clock, TimeSpan skew, string playbook, TimeSpan? keepAlive = null, IDictionary<string, string>? extra = null)
    {
        var environment = Environment(name);
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var harness = new SchedulerHarness(
            _dir,
            clock.GetUtcNow(),
            o => o with { HostName = name, Coordination = connection => new PostgresScheduleCoordinator(connection, keepAlive) },
            sharedClock: clock,
            skew: skew,
            folder: $"{name}/playbooks",
            state: $"{name}/state",
            environment: environment);
        harness.Write("ticker.yaml", playbook);
        return harness;
    }

    private async Task<List<(DateTimeOffset Tick, string Host, string Status)>> TicksAsync()
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionString(_database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT tick, host, status FROM {PostgresScheduleCoordinator.Table} WHERE playbook = 'ticker' ORDER BY tick", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ticks = new List<(DateTimeOffset, string, string)>();
        while (await reader.ReadAsync())
        {
            ticks.Add((reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetString(2)));
        }

        return ticks;
    }

    [Fact]
    public async Task Three_schedulers_with_skewed_clocks_run_every_tick_exactly_once_and_keep_the_schedule_when_one_goes_away()
    {
        var clock = new FakeTimeProvider(Utc("2026-06-01T08:59:30Z"));
        var playbook = Playbook("* * * * *", EchoHost);
        await using var a = Host("host-a", clock, TimeSpan.Zero, playbook);
        await using var b = Host("host-b", clock, TimeSpan.FromSeconds(2), playbook);
        await using var c = Host("host-c", clock, TimeSpan.Zero, playbook);
        SchedulerHarness[] hosts = [a, b, c];
        foreach (var host in hosts)
        {
            await host.StartAsync();
        }

        // 09:00 .. 09:29 with all three; host-b (its clock 2 s ahead) goes away; 09:30 .. 09:59 with two.
        await SchedulerHarness.AdvanceAllToAsync(hosts, Utc("2026-06-01T09:29:30Z"));
        Assert.Equal(0, await b.StopAsync());
        await SchedulerHarness.AdvanceAllToAsync(hosts, Utc("2026-06-01T09:59:30Z"));

        var expected = Enumerable.Range(0, 60).Select(m => Utc("2026-06-01T09:00:00Z").AddMinutes(m)).ToList();
        var ticks = await TicksAsync();
        Assert.Equal(expected, ticks.Select(t => t.Tick));
        Assert.All(ticks, t => Assert.Equal("succeeded", t.Status));

        // The run records of the three hosts together: one successful run per tick, none skipped.
        var runs = hosts.SelectMany(h => new RunStore(h.StateDirectory).History("ticker", limit: 1000)).ToList();
        Assert.Equal(expected, runs.Where(r => r.Status == RunStatus.Succeeded).Select(r => r.Tick!.Value).Order());
        Assert.DoesNotContain(runs, r => r.Status != RunStatus.Succeeded);
        Assert.Equal(60, hosts.Sum(h => h.Of(ScheduleEventKind.Started).Count));
        Assert.Equal(60 * 3 - 30 - 60, hosts.Sum(h => h.Of(ScheduleEventKind.ClaimedElsewhere).Count));

        // While it was up, the host whose clock is ahead claimed first; after it left, the others took over.
        Assert.All(ticks.Where(t => t.Tick.Minute < 30), t => Assert.Equal("host-b", t.Host));
        Assert.All(ticks.Where(t => t.Tick.Minute >= 30), t => Assert.NotEqual("host-b", t.Host));
    }

    [Fact]
    public async Task A_run_still_going_on_one_host_makes_the_tick_skip_on_the_others_until_that_host_dies()
    {
        var clock = new FakeTimeProvider(Utc("2026-06-01T08:59:30Z"));
        var marker = _dir["slow-started"];
        var slow = Playbook("*/5 * * * *", $$"""
              - id: wait
                uses: test.timer
                with: { for: "02:00:00", armed_marker: "{{marker}}" }
            """);
        await using var a = Host("host-a", clock, TimeSpan.FromSeconds(1), slow);
        await using var b = Host("host-b", clock, TimeSpan.Zero, slow);
        SchedulerHarness[] hosts = [a, b];
        foreach (var host in hosts)
        {
            await host.StartAsync();
        }

        // 09:00: host-a (clock ahead) claims the tick and sleeps for two hours; host-b sees the tick taken.
        await SchedulerHarness.AdvanceAllToAsync(hosts, Utc("2026-06-01T08:59:59Z"), settle: false);
        await a.WaitForAsync(() => File.Exists(marker), "host-a's run to start");
        await SchedulerHarness.AdvanceAllToAsync(hosts, Utc("2026-06-01T09:00:00Z"), settle: false);
        await b.SettleAsync();
        Assert.Single(b.Of(ScheduleEventKind.ClaimedElsewhere));

        // 09:05: host-a still runs it: host-a skips locally, host-b skips because the playbook's lock is held.
        await SchedulerHarness.AdvanceAllToAsync(hosts, Utc("2026-06-01T09:05:00Z"), settle: false);
        await b.SettleAsync();
        var skipped = Assert.Single(b.Of(ScheduleEventKind.Skipped));
        Assert.Contains("the previous run is still going on host-a (tick 2026-06-01 09:00 UTC)", skipped.Detail);

        // host-a's database session dies (the host crashed): its lock goes, host-b runs 09:10.
        await using (var admin = new NpgsqlConnection(_server.ConnectionString(_database)))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", admin);
            Assert.Equal(1L, await kill.ExecuteScalarAsync());
        }

        await SchedulerHarness.AdvanceAllToAsync(hosts, Utc("2026-06-01T09:10:00Z"), settle: false);
        await b.WaitForAsync(() => b.Of(ScheduleEventKind.Started).Count == 1, "host-b to take over");

        var ticks = await TicksAsync();
        Assert.Equal(
            [(Utc("2026-06-01T09:00:00Z"), "host-a", "running"), (Utc("2026-06-01T09:05:00Z"), "host-b", "skipped"), (Utc("2026-06-01T09:10:00Z"), "host-b", "running")],
            ticks);
        var record = Assert.Single(new RunStore(b.StateDirectory).History("ticker"), r => r.Status == RunStatus.Skipped);
        Assert.Equal(Utc("2026-06-01T09:05:00Z"), record.Tick);
    }

    [Fact]
    public async Task A_lock_session_killed_during_the_run_is_detected_logged_taken_again_and_told_to_the_failure_notifiers()
    {
        using var slack = new SlackReceiver();
        var clock = new FakeTimeProvider(Utc("2026-06-01T08:59:30Z"));
        var marker = _dir["lock-run-started"];
        var playbook = Playbook("0 * * * *", $$"""
              - id: wait
                uses: test.timer
                with: { for: "00:10:00", armed_marker: "{{marker}}" }
            """) + """

            notify:
              - uses: notify.slack
                on: [failure]
                with: { webhook: "{{ env.SLACK_WEBHOOK_URL }}" }
            """;
        await using var a = Host("host-a", clock, TimeSpan.Zero, playbook, keepAlive: TimeSpan.FromMilliseconds(200),
            extra: new Dictionary<string, string> { ["SLACK_WEBHOOK_URL"] = slack.WebhookUrl.ToString() });
        await a.StartAsync();
        await a.AdvanceToAsync(Utc("2026-06-01T09:00:00Z"), settle: false);
        await a.WaitForAsync(() => File.Exists(marker), "the run to start");

        // An idle timeout, a pooler or a failover ends the session that holds the lock.
        Assert.Equal(1L, await TerminateLockHoldersAsync());

        await a.WaitForAsync(() => a.All.Contains("The multi-host lock of playbook ticker was lost during run", StringComparison.Ordinal), "the loss to be logged");
        Assert.Contains("its session dropped", a.All, StringComparison.Ordinal);
        Assert.Contains("it was taken again on a new session", a.All, StringComparison.Ordinal);
        Assert.Equal(1L, await AdvisoryLocksAsync());

        await a.AdvanceToAsync(Utc("2026-06-01T09:10:30Z"), settle: false);
        await a.SettleAsync();

        var webhook = await slack.WaitForRequestAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("the multi-host lock of playbook", webhook.Body, StringComparison.Ordinal);
        Assert.Contains("was lost during the run", webhook.Body, StringComparison.Ordinal);
        var run = Assert.Single(new RunStore(a.StateDirectory).History("ticker"));
        Assert.Equal(RunStatus.Succeeded, run.Status);
        var record = RunRecords.Latest(a.StateDirectory, "ticker");
        Assert.Contains("its session dropped", record.GetProperty("lock_lost").GetString(), StringComparison.Ordinal);
        Assert.Equal("runbook.coordination_lock", Assert.Single(record.GetProperty("alerts").EnumerateArray()).GetProperty("key").GetString());

        // The tick's row is still completed, through a new session.
        Assert.Equal([(Utc("2026-06-01T09:00:00Z"), "host-a", "succeeded")], await TicksAsync());
    }

    private async Task<long> TerminateLockHoldersAsync()
    {
        await using var admin = new NpgsqlConnection(_server.ConnectionString(_database));
        await admin.OpenAsync();
        await using var kill = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", admin);
        return (long)(await kill.ExecuteScalarAsync())!;
    }

    private async Task<long> AdvisoryLocksAsync()
    {
        await using var admin = new NpgsqlConnection(_server.ConnectionString(_database));
        await admin.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", admin);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task An_unreachable_coordination_database_skips_the_tick_and_says_why()
    {
        var clock = new FakeTimeProvider(Utc("2026-06-01T08:59:30Z"));
        await using var a = Host("host-a", clock, TimeSpan.Zero, Playbook("* * * * *", EchoHost));
        ((Dictionary<string, string>)a.Host.Environment)["PG_PORT"] = "1";
        await a.StartAsync();

        await a.AdvanceToAsync(Utc("2026-06-01T09:00:30Z"));

        var skipped = Assert.Single(a.Of(ScheduleEventKind.Skipped));
        Assert.Contains("coordination through connection 'pg' failed, so the tick was not run", skipped.Detail);
        Assert.DoesNotContain(_server.Password, a.All, StringComparison.Ordinal);
        Assert.Equal(RunStatus.Skipped, Assert.Single(new RunStore(a.StateDirectory).History("ticker")).Status);
    }

    [Fact]
    public async Task The_schedulers_log_and_skipped_records_mask_the_secrets_a_playbooks_env_file_defines()
    {
        // The secret is known only from the playbook's own .env file, not the scheduler's environment,
        // and PostgreSQL quotes it back in its error: the database it names does not exist.
        const string Secret = "db_s3cret_Only_In_Env_File";
        var clock = new FakeTimeProvider(Utc("2026-06-01T08:59:30Z"));
        var playbook = Playbook("* * * * *", EchoHost)
            .Replace("coordination: pg\n", "coordination: pg\nenv_file: coordination.env\n", StringComparison.Ordinal)
            .Replace("database: \"{{ env.PG_DB }}\"", "database: \"{{ env.COORDINATION_DB_SECRET }}\"", StringComparison.Ordinal);
        await using var a = Host("host-a", clock, TimeSpan.Zero, playbook);
        a.Write("coordination.env", $"COORDINATION_DB_SECRET={Secret}\n");
        await a.StartAsync();

        await a.AdvanceToAsync(Utc("2026-06-01T09:00:30Z"));

        var skipped = Assert.Single(a.Of(ScheduleEventKind.Skipped));
        Assert.Contains("does not exist", skipped.Detail);
        Assert.Contains("***", a.All);
        Assert.DoesNotContain(Secret, a.All, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, skipped.Detail, StringComparison.Ordinal);
        var record = Assert.Single(new RunStore(a.StateDirectory).History("ticker"));
        Assert.DoesNotContain(Secret, File.ReadAllText(record.Path), StringComparison.Ordinal);
    }

    [Fact]
    public void The_lock_key_is_a_stable_hash_of_the_playbook_name()
    {
        Assert.Equal(PostgresScheduleCoordinator.LockKey("backup"), PostgresScheduleCoordinator.LockKey("backup"));
        Assert.NotEqual(PostgresScheduleCoordinator.LockKey("backup"), PostgresScheduleCoordinator.LockKey("monitor"));
    }
}
