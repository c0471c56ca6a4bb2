using System.Diagnostics;
using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.State;
using ExcelMedical.DbRunbook.Testing.Postgres;
using ExcelMedical.DbRunbook.Tests.Support;
using Npgsql;

namespace ExcelMedical.DbRunbook.Tests.Cli;

/// <summary>
/// The real `runbook` process killed with SIGKILL in the middle of a real pg_dump (held up by a
/// table lock, so the half-written .partial is on disk): the next run of the playbook removes
/// exactly that debris, and history shows the killed run as interrupted.
/// </summary>
public sealed class KilledRunTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _dir = new();
    private PostgresServer _server = null!;
    private string _database = string.Empty;

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.Shared;
        _database = await _server.CreateDatabaseAsync("killed");
        await ExecuteAsync("CREATE TABLE shifts (id int PRIMARY KEY, nurse text); INSERT INTO shifts SELECT g, 'n' || g FROM generate_series(1, 100) g");
    }

    public async Task DisposeAsync() => await _server.DropDatabaseAsync(_database);

    public void Dispose() => _dir.Dispose();

    private string Day => _dir["backups/2026-11-25"];

    private Dictionary<string, string> Environment(string stamp) => new(StringComparer.Ordinal)
    {
        ["RUNBOOK_STATE_DIR"] = _dir["state"],
        ["POSTGRES_HOST"] = _server.Host,
        ["POSTGRES_PORT"] = _server.Port.ToString(CultureInfo.InvariantCulture),
        ["POSTGRES_USER"] = _server.User,
        ["POSTGRES_PASSWORD"] = _server.Password,
        ["POSTGRES_DB"] = _database,
        ["DAY"] = Day,
        ["STAMP"] = stamp,
    };

    private string Playbook() => _dir.Write("killed.yaml", """
        name: killed
        log: "{{ env.DAY }}/backup_{{ env.STAMP }}.log"
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
              file: "{{ env.DAY }}/postgres_{{ env.STAMP }}.sql.gz"
        """);

    [Fact]
    public async Task The_next_run_removes_the_partial_file_of_a_killed_run_and_history_shows_it_interrupted()
    {
        var playbook = Playbook();
        var debris = Path.Combine(Day, "postgres_1.sql.gz.partial");

        // Not ours: another playbook's (or an operator's) half-written file beside the backups stays.
        var foreign = _dir.Write("backups/2026-11-25/upload.tar.partial", "someone else's");

        // pg_dump waits for this lock with the dump's .partial already open.
        await using var blocker = new NpgsqlConnection(_server.ConnectionString(_database));
        await blocker.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE shifts IN ACCESS EXCLUSIVE MODE", blocker, transaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        using var runbook = Start(playbook, Environment("1"), out var output);
        try
        {
            await WaitForAsync(() => File.Exists(debris) && PgDumpWaitsForLock(), output, "pg_dump to wait for the table lock with the .partial open");
            var pgDump = await Shell.RunAsync($"pgrep -P {runbook.Id} -x pg_dump");
            Assert.True(pgDump.ExitCode == 0, "pg_dump is not a child of runbook");

            // A crash of the whole host: the runbook process and its pg_dump die at once, no handler runs.
            await Shell.RunAsync($"kill -KILL {runbook.Id} {pgDump.Output.Trim()}");
            await runbook.WaitForExitAsync();
        }
        finally
        {
            if (!runbook.HasExited)
            {
                runbook.Kill(entireProcessTree: true);
            }
        }

        await transaction.RollbackAsync();
        Assert.True(File.Exists(debris), "the killed run left no .partial: the test proves nothing");
        Assert.Equal(RunStatus.Running, Assert.Single(new RunStore(_dir["state"]).History("killed")).Status);

        var cli = new RunbookCliHarness(_dir["state"], Environment("2"));
        var next = await cli.RunAsync("run", playbook);

        Assert.True(next.ExitCode == 0, next.All);
        Assert.False(File.Exists(debris), "the killed run's .partial is still there");
        Assert.Contains($"Removed {debris}, left half-written by an interrupted run", next.All, StringComparison.Ordinal);
        Assert.True(File.Exists(foreign), "a .partial that is not this playbook's was removed");
        Assert.True(File.Exists(Path.Combine(Day, "postgres_2.sql.gz")));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir["state"], "partials", "killed")));

        var runs = new RunStore(_dir["state"]).History("killed");
        Assert.Equal([RunStatus.Succeeded, RunStatus.Interrupted], runs.Select(r => r.Status));
        Assert.Equal(ExitCodes.Interrupted, runs[1].ExitCode);
        var history = await cli.RunAsync("history");
        Assert.Contains("interrupted", history.Output, StringComparison.Ordinal);
        Assert.Contains("ended without finishing", history.Output, StringComparison.Ordinal);
    }

    private bool PgDumpWaitsForLock()
    {
        using var connection = new NpgsqlConnection(_server.ConnectionString(_database));
        connection.Open();
        using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", connection);
        return (long)command.ExecuteScalar()! > 0;
    }

    private static Process Start(string playbook, Dictionary<string, string> environment, out System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "runbook.dll"));
        info.ArgumentList.Add("run");
        info.ArgumentList.Add(playbook);
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info)!;
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => lines.Enqueue(e.Data ?? string.Empty);
        process.ErrorDataReceived += (_, e) => lines.Enqueue(e.Data ?? string.Empty);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output = lines;
        return process;
    }

    private static async Task WaitForAsync(Func<bool> condition, IEnumerable<string> output, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"timed out waiting for {what}:\n{string.Join('\n', output)}");
            await Task.Delay(100);
        }
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionString(_database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
