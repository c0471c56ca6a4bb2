using System.Text.Json;
using ExcelMedical.DbRunbook.Testing.Slack;
using ExcelMedical.DbRunbook.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace ExcelMedical.DbRunbook.Tests.Monitoring;

/// <summary>postgres.metrics, monitor.evaluate and metrics.history against the real PostgreSQL fixture, with real conditions.</summary>
public sealed class PostgresMonitoringTests(SampleDatabase database) : IClassFixture<SampleDatabase>, IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly SlackReceiver _slack = new();
    private readonly List<NpgsqlConnection> _held = [];

    public void Dispose()
    {
        foreach (var connection in _held)
        {
            connection.Dispose();
        }

        _slack.Dispose();
        _dir.Dispose();
    }

    private RunbookCliHarness Cli(TimeProvider? time = null)
    {
        var environment = database.GuideEnvironment();
        environment["OUT"] = _dir["out"];
        environment["SLACK_WEBHOOK_URL"] = _slack.WebhookUrl.ToString();
        return new RunbookCliHarness(_dir["state"], environment, time);
    }

    private string Playbook(string thresholds, string metricOptions = "") => _dir.Write("pgmon.yaml", $$$"""
        name: pgmon
        connections:
          postgres:
            host: "{{ env.POSTGRES_HOST }}"
            port: "{{ env.POSTGRES_PORT }}"
            user: "{{ env.POSTGRES_USER }}"
            password: "{{ env.POSTGRES_PASSWORD }}"
            database: "{{ env.POSTGRES_DB }}"
        steps:
          - id: pg
            uses: postgres.metrics
            with:
              query_scope: database
              long_query_threshold: 1s
        {{{metricOptions}}}
          - id: evaluate
            uses: monitor.evaluate
            with:
              from: [pg]
              reminder_interval: 4h
              thresholds:
        {{{thresholds}}}
          - id: history
            uses: metrics.history
            with:
              from: [pg]
              folder: "{{ env.OUT }}/metrics"
        notify:
          - uses: notify.slack
            on: [alert]
            with:
              webhook: "{{ env.SLACK_WEBHOOK_URL }}"
        """);

    /// <summary>The webhook calls received, once <paramref name="expected"/> have arrived (the receiver records them just after answering).</summary>
    private async Task<IReadOnlyList<ReceivedWebhook>> SlackAsync(int expected)
    {
        for (var i = 0; i < 100 && _slack.Requests.Count < expected; i++)
        {
            await Task.Delay(50);
        }

        await Task.Delay(200);
        return _slack.Requests;
    }

    private static IEnumerable<JsonElement> Samples(JsonElement record, string metric) =>
        record.Step("pg").GetProperty("outputs").GetProperty("samples").EnumerateArray()
            .Where(s => s.GetProperty("metric").GetString() == metric);

    /// <summary>
    /// How long a sleeper has been running before a test measures it. The thresholds the
    /// long-query tests assert on sit a whole second below this: the monitor reads the age only
    /// milliseconds later and rounds it to 0.1 s, so a threshold equal to the wait (2 s) was
    /// crossed or not depending on how fast the run started (2.04 s reads as 2.0, not above 2).
    /// </summary>
    private const int SleeperAgeSeconds = 2;

    private Task<int> StartSleepAsync(int seconds) => StartQueryAsync($"SELECT pg_sleep({seconds}), 'patient-ssn-123-45-6789' AS secret");

    private async Task<int> StartQueryAsync(string sql)
    {
        var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        _held.Add(connection);
        await using (var pid = new NpgsqlCommand("SELECT pg_backend_pid()", connection))
        {
            var backend = (int)(await pid.ExecuteScalarAsync())!;
            var command = new NpgsqlCommand(sql, connection);
            _ = command.ExecuteNonQueryAsync().ContinueWith(t => command.Dispose(), TaskScheduler.Default);
            await WaitUntilAsync($"SELECT count(*) FROM pg_stat_activity WHERE pid = {backend} AND state = 'active' AND clock_timestamp() - query_start > interval '{SleeperAgeSeconds} seconds'");
            return backend;
        }
    }

    private async Task CancelAsync(int pid)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT pg_cancel_backend({pid})", connection);
        await command.ExecuteScalarAsync();
        await WaitUntilAsync($"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid} AND state = 'idle'");
    }

    private async Task WaitUntilAsync(string countSql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        for (var i = 0; i < 200; i++)
        {
            await using var command = new NpgsqlCommand(countSql, connection);
            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException(countSql);
    }

    [Fact]
    public async Task A_query_running_longer_than_the_threshold_raises_a_critical_alert_with_its_pid_and_masked_text()
    {
        var pid = await StartSleepAsync(120);
        try
        {
            var result = await Cli().RunAsync("run", Playbook("          postgres.query_seconds: { warning: 0.5, critical: 1 }"));

            Assert.Equal(0, result.ExitCode);
            var record = RunRecords.Latest(_dir["state"], "pgmon");
            var query = Assert.Single(record.Step("pg").GetProperty("outputs").GetProperty("long_queries").EnumerateArray());
            Assert.Equal(pid, query.GetProperty("pid").GetInt32());
            Assert.Contains("pg_sleep", query.GetProperty("query").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain("6789", query.GetProperty("query").GetString(), StringComparison.Ordinal);
            var alert = Assert.Single(record.GetProperty("alerts").EnumerateArray());
            Assert.Equal($"postgres.query_seconds:{database.Name}", alert.GetProperty("key").GetString());
            Assert.Equal("critical", alert.GetProperty("severity").GetString());
            Assert.Equal("firing", alert.GetProperty("transition").GetString());
            var slack = Assert.Single(await SlackAsync(1));
            Assert.Contains("postgres.query_seconds", slack.Body, StringComparison.Ordinal);
            Assert.Contains("#E01E5A", slack.Body, StringComparison.Ordinal);
        }
        finally
        {
            await CancelAsync(pid);
        }
    }

    [Fact]
    public async Task Query_text_the_server_cut_inside_a_literal_reaches_no_record_log_or_slack_message_unmasked()
    {
        // PostgreSQL keeps the first track_activity_query_size (1024) bytes of the text: the cut
        // falls inside the patient's literal, which then has no closing quote.
        const string Patient = "Jane Roe born 1961-04-12 SSN 123-45-6789 diagnosis: type 2 diabetes";
        var prefix = "SELECT pg_sleep(120) AS waited, E'ward\\'s note' AS escaped, $note$ward 7's rota $note$ AS dollar, '";
        var padding = new string('x', 1000 - prefix.Length);
        var sql = $"{prefix}{padding}' AS pad, '{Patient} {new string('y', 200)}' AS patient";
        var pid = await StartQueryAsync(sql);
        try
        {
            var seen = await ScalarAsync($"SELECT query FROM pg_stat_activity WHERE pid = {pid}");
            Assert.True(seen.Contains("Jane Roe", StringComparison.Ordinal) && !seen.Contains("' AS patient", StringComparison.Ordinal), $"the server did not cut the text inside the literal: {seen}");

            var result = await Cli().RunAsync("run", Playbook("          postgres.query_seconds: { warning: 0.5, critical: 1 }", "      query_text_length: 2000"));

            Assert.Equal(0, result.ExitCode);
            var record = RunRecords.LatestText(_dir["state"], "pgmon");
            var slack = Assert.Single(await SlackAsync(1));
            Assert.Contains("pg_sleep", record, StringComparison.Ordinal);
            foreach (var (channel, text) in new[] { ("record", record), ("console and log", result.All), ("slack", slack.Body) })
            {
                Assert.False(text.Contains("Jane", StringComparison.Ordinal), $"{channel} shows the cut literal: {text}");
                Assert.False(text.Contains("s note", StringComparison.Ordinal), $"{channel} shows part of an E'' literal: {text}");
                Assert.False(text.Contains("rota", StringComparison.Ordinal), $"{channel} shows a dollar-quoted literal: {text}");
            }
        }
        finally
        {
            await CancelAsync(pid);
        }
    }

    private async Task<string> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_bloated_table_is_detected_and_a_small_table_is_not()
    {
        await database.ExecuteAsync("""
            CREATE TABLE mon_bloated (id int PRIMARY KEY, pad text NOT NULL);
            INSERT INTO mon_bloated SELECT g, repeat('x', 100) FROM generate_series(1, 60000) g;
            DELETE FROM mon_bloated WHERE id % 10 <> 0;
            CREATE TABLE mon_small (id int PRIMARY KEY, pad text NOT NULL);
            INSERT INTO mon_small SELECT g, repeat('x', 100) FROM generate_series(1, 300) g;
            DELETE FROM mon_small WHERE id % 10 <> 0;
            ANALYZE mon_bloated; ANALYZE mon_small;
            """);

        var result = await Cli().RunAsync("run", Playbook("          postgres.bloat_pct: { warning: 30, critical: 50 }"));

        Assert.Equal(0, result.ExitCode);
        var record = RunRecords.Latest(_dir["state"], "pgmon");
        var bloat = Samples(record, "postgres.bloat_pct").ToDictionary(s => s.GetProperty("target").GetString()!, s => s.GetProperty("value").GetDouble());
        Assert.True(bloat[$"{database.Name}.public.mon_bloated"] > 50, $"bloat of mon_bloated: {bloat[$"{database.Name}.public.mon_bloated"]}");
        Assert.DoesNotContain($"{database.Name}.public.mon_small", bloat.Keys);
        var keys = record.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("key").GetString()).ToList();
        Assert.Contains($"postgres.bloat_pct:{database.Name}.public.mon_bloated", keys);
        Assert.DoesNotContain(keys, k => k!.Contains("mon_small", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bloated_index_is_estimated_and_a_freshly_built_one_is_not()
    {
        // Half the rows deleted and vacuumed: the primary key keeps its pages, half empty. An index
        // built afterwards is packed at its fillfactor.
        await database.ExecuteAsync("""
            CREATE TABLE mon_index_bloat (id int PRIMARY KEY, code int NOT NULL);
            INSERT INTO mon_index_bloat SELECT g, g FROM generate_series(1, 200000) g;
            DELETE FROM mon_index_bloat WHERE id % 2 = 0;
            """);
        await database.ExecuteAsync("VACUUM ANALYZE mon_index_bloat");
        await database.ExecuteAsync("CREATE INDEX mon_index_fresh_idx ON mon_index_bloat (code)");

        var result = await Cli().RunAsync("run", Playbook("          postgres.index_bloat_pct: { critical: 40 }"));

        Assert.Equal(0, result.ExitCode);
        var record = RunRecords.Latest(_dir["state"], "pgmon");
        var bloat = Samples(record, "postgres.index_bloat_pct").ToDictionary(s => s.GetProperty("target").GetString()!, s => s.GetProperty("value").GetDouble());
        Assert.InRange(bloat[$"{database.Name}.public.mon_index_bloat_pkey"], 40, 60);
        Assert.InRange(bloat[$"{database.Name}.public.mon_index_fresh_idx"], 0, 10);
        var listed = record.Step("pg").GetProperty("outputs").GetProperty("bloated_indexes").EnumerateArray()
            .Single(i => i.GetProperty("index").GetString() == "mon_index_bloat_pkey");
        Assert.Equal("mon_index_bloat", listed.GetProperty("table").GetString());
        var keys = record.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("key").GetString()).ToList();
        Assert.Contains($"postgres.index_bloat_pct:{database.Name}.public.mon_index_bloat_pkey", keys);
        Assert.DoesNotContain($"postgres.index_bloat_pct:{database.Name}.public.mon_index_fresh_idx", keys);
    }

    [Fact]
    public async Task An_unused_index_is_listed_and_primary_and_unique_keys_are_not()
    {
        await database.ExecuteAsync("""
            CREATE TABLE mon_indexed (id int PRIMARY KEY, email text UNIQUE, city text);
            INSERT INTO mon_indexed SELECT g, 'u' || g || '@example.com', 'city' || (g % 7) FROM generate_series(1, 1000) g;
            CREATE INDEX mon_indexed_city_idx ON mon_indexed (city);
            """);

        await Cli().RunAsync("run", Playbook("          postgres.connections: { critical: 100000 }"));

        var record = RunRecords.Latest(_dir["state"], "pgmon");
        var outputs = record.Step("pg").GetProperty("outputs");
        var unused = outputs.GetProperty("unused_indexes").EnumerateArray().Select(i => i.GetProperty("index").GetString()).ToList();
        Assert.Contains("mon_indexed_city_idx", unused);
        Assert.DoesNotContain("mon_indexed_pkey", unused);
        Assert.DoesNotContain("mon_indexed_email_key", unused);
        Assert.True(outputs.TryGetProperty("stats_since", out _));
    }

    [Fact]
    public async Task Many_idle_connections_cross_a_lowered_connection_threshold()
    {
        for (var i = 0; i < 12; i++)
        {
            var connection = new NpgsqlConnection(database.ConnectionString + ";Pooling=false");
            await connection.OpenAsync();
            _held.Add(connection);
        }

        var result = await Cli().RunAsync("run", Playbook("          postgres.connections: { warning: 5, critical: 10 }"));

        Assert.Equal(0, result.ExitCode);
        var record = RunRecords.Latest(_dir["state"], "pgmon");
        Assert.True(Samples(record, "postgres.connections").Single().GetProperty("value").GetDouble() >= 12);
        var alert = record.GetProperty("alerts").EnumerateArray().Single(a => a.GetProperty("key").GetString()!.StartsWith("postgres.connections:", StringComparison.Ordinal));
        Assert.Equal("critical", alert.GetProperty("severity").GetString());
    }

    [Fact]
    public async Task An_alert_fires_once_repeats_only_after_the_reminder_interval_and_resolves_with_a_notice()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
        var cli = Cli(time);
        var playbook = Playbook("          postgres.query_seconds: { critical: 1 }");
        var pid = await StartSleepAsync(600);
        try
        {
            Assert.Equal(0, (await cli.RunAsync("run", playbook)).ExitCode);
            Assert.Contains("firing", Assert.Single(await SlackAsync(1)).Body, StringComparison.Ordinal);

            time.Advance(TimeSpan.FromMinutes(15));
            Assert.Equal(0, (await cli.RunAsync("run", playbook)).ExitCode);
            time.Advance(TimeSpan.FromHours(3));
            Assert.Equal(0, (await cli.RunAsync("run", playbook)).ExitCode);
            Assert.Single(await SlackAsync(1));
            Assert.Equal(1, RunRecords.Latest(_dir["state"], "pgmon").Step("evaluate").GetProperty("outputs").GetProperty("firing").GetInt32());

            time.Advance(TimeSpan.FromMinutes(46));
            Assert.Equal(0, (await cli.RunAsync("run", playbook)).ExitCode);
            Assert.Equal(2, (await SlackAsync(2)).Count);
            Assert.Contains("reminder", _slack.Requests[1].Body, StringComparison.Ordinal);
        }
        finally
        {
            await CancelAsync(pid);
        }

        time.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(0, (await cli.RunAsync("run", playbook)).ExitCode);
        Assert.Equal(3, (await SlackAsync(3)).Count);
        Assert.Contains("RESOLVED", _slack.Requests[2].Body, StringComparison.Ordinal);
        Assert.Contains("#2EB67D", _slack.Requests[2].Body, StringComparison.Ordinal);

        time.Advance(TimeSpan.FromMinutes(15));
        await cli.RunAsync("run", playbook);
        Assert.Equal(3, (await SlackAsync(4)).Count);

        var csv = File.ReadAllLines(Path.Combine(_dir["out"], "metrics", "postgres_query_seconds.csv"));
        Assert.Equal("timestamp,target,value,unit", csv[0]);
        Assert.Equal(7, csv.Length);
        Assert.StartsWith("2026-11-25 ", csv[1], StringComparison.Ordinal);
        Assert.Equal(6, File.ReadAllLines(Path.Combine(_dir["out"], "metrics", "postgres_db_size.csv")).Length - 1);
    }

    [Fact]
    public async Task An_unreachable_server_is_an_unknown_alert_and_never_ok()
    {
        var cli = Cli();
        cli.Environment["POSTGRES_PORT"] = "1";

        var result = await cli.RunAsync("run", Playbook("          postgres.connections: { critical: 100 }"));

        Assert.Equal(0, result.ExitCode);
        var alert = Assert.Single(RunRecords.Latest(_dir["state"], "pgmon").GetProperty("alerts").EnumerateArray());
        Assert.Equal("unknown", alert.GetProperty("severity").GetString());
        Assert.StartsWith("postgres.up:", alert.GetProperty("key").GetString(), StringComparison.Ordinal);
        Assert.Contains("UNKNOWN", Assert.Single(await SlackAsync(1)).Body, StringComparison.Ordinal);
    }
}
