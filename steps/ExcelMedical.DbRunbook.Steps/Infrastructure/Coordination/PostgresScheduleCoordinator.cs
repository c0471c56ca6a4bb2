using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Scheduling;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;
using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Coordination;

/// <summary>
/// Schedulers on several hosts share ticks through PostgreSQL (<c>coordination: postgres</c>).
/// Two mechanisms, each for one promise:
/// <list type="bullet">
/// <item>Exactly once per tick: a row per (playbook, tick) in <c>runbook_schedule_ticks</c>,
/// inserted with ON CONFLICT DO NOTHING. The tick is the cron time, not the host's clock, so
/// hosts whose clocks differ by seconds still name the same tick, and a late host finds the row
/// even after the first one finished.</item>
/// <item>Never two runs of a playbook at once, across hosts: a session advisory lock keyed by a
/// SHA-256 of the playbook's name, held on the claim's connection for the whole run. If the host
/// dies its session ends (keepalives are set so the server notices within about a minute), the
/// lock goes with it, and the other hosts carry on with the next tick.</item>
/// </list>
/// A tick whose host died mid-run is not run again (at most once: a backup half-written twice is
/// worse than one missed tick, and the next tick comes).
/// <para>
/// The lock lasts only as long as its session. While the run goes on, the session is used every
/// <see cref="DefaultKeepAlive"/> (so idle timeouts of the server or a pooler do not end it) and
/// asked whether it still holds the lock. If the session dropped (a timeout, a pooler, a
/// failover, an administrator's pg_terminate_backend), the lease is <see cref="ITickLease.Lost"/>:
/// the lock is taken again on a new session when nobody else holds it, and the run logs and
/// notifies either way, because in between another host could have started the playbook.
/// </para>
/// </summary>
/// <param name="keepAlive">How often the lock's session is checked during a run (tests use a fraction of a second).</param>
internal sealed class PostgresScheduleCoordinator(ConnectionSettings connection, TimeSpan? keepAlive = null) : IScheduleCoordinator
{
    /// <summary>How often a held lock's session is used and checked: well under the idle timeouts of servers and poolers.</summary>
    public static readonly TimeSpan DefaultKeepAlive = TimeSpan.FromSeconds(15);

    public const string Table = "runbook_schedule_ticks";

    /// <summary>Rows older than this are deleted as new ticks are claimed.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(90);

    private const string CreateTable = $"""
        CREATE TABLE IF NOT EXISTS {Table} (
            playbook text NOT NULL,
            tick timestamptz NOT NULL,
            host text NOT NULL,
            status text NOT NULL,
            claimed timestamptz NOT NULL DEFAULT now(),
            finished timestamptz,
            PRIMARY KEY (playbook, tick))
        """;

    private readonly PostgresTarget _target = PostgresTarget.From(connection);
    private readonly TimeSpan _keepAlive = keepAlive ?? DefaultKeepAlive;

    public string Description => $"PostgreSQL {_target.Display}";

    /// <summary>The advisory lock key of a playbook: the first 8 bytes of SHA-256("runbook-schedule|name").</summary>
    public static long LockKey(string playbook) =>
        BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes($"runbook-schedule|{playbook}")));

    public async Task<TickClaim> ClaimAsync(string playbook, DateTimeOffset tick, string host, CancellationToken cancellationToken)
    {
        var session = await _target.OpenAsync(cancellationToken, commandTimeoutSeconds: 30);
        var handedOver = false;
        try
        {
            await PrepareSessionAsync(session, cancellationToken);
            await EnsureTableAsync(session, cancellationToken);
            var key = LockKey(playbook);
            var utc = tick.ToUniversalTime();

            // The tick's row decides who owns the tick: exactly one host inserts it. Only the owner
            // then asks for the playbook's lock. (Locking first raced: two hosts waking together,
            // one holding the lock for a moment, made the other record the tick as skipped.)
            if (!await InsertAsync(session, playbook, utc, host, "running", cancellationToken))
            {
                return new TickClaim(ClaimOutcome.ClaimedElsewhere, await OwnerAsync(session, playbook, utc, cancellationToken));
            }

            if (!await ScalarAsync<bool>(session, "SELECT pg_try_advisory_lock(@key)", cancellationToken, ("key", key)))
            {
                // An earlier tick of this playbook is still running somewhere: this tick is skipped, for everyone.
                var runner = await ScalarAsync<string?>(session, $"SELECT host || ' (tick ' || to_char(tick AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC)' FROM {Table} WHERE playbook = @playbook AND status = 'running' AND tick < @tick ORDER BY tick DESC LIMIT 1", cancellationToken, ("playbook", playbook), ("tick", utc));
                await ExecuteAsync(session, $"UPDATE {Table} SET status = 'skipped', finished = now() WHERE playbook = @playbook AND tick = @tick", cancellationToken, ("playbook", playbook), ("tick", utc));
                return new TickClaim(ClaimOutcome.Busy, $"the previous run is still going on {runner ?? "another host"}");
            }

            await ExecuteAsync(session, $"DELETE FROM {Table} WHERE playbook = @playbook AND tick < @before", cancellationToken, ("playbook", playbook), ("before", utc - Retention));
            handedOver = true;
            return new TickClaim(ClaimOutcome.Acquired, $"claimed by {host} in {Description}", new Lease(_target, session, key, playbook, utc, _keepAlive));
        }
        finally
        {
            if (!handedOver)
            {
                await session.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// A session that holds a lock for hours: the server notices a dead host within about a
    /// minute (TCP keepalives) and frees its lock, and the server's own idle timeout
    /// (PostgreSQL 14 and later) never ends it.
    /// </summary>
    private static async Task PrepareSessionAsync(NpgsqlConnection session, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            session,
            "SET tcp_keepalives_idle = 30; SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 3; "
            + "SELECT set_config('idle_session_timeout', '0', false) WHERE current_setting('server_version_num')::int >= 140000",
            cancellationToken);

    private static async Task EnsureTableAsync(NpgsqlConnection session, CancellationToken cancellationToken)
    {
        if (await ScalarAsync<bool>(session, $"SELECT to_regclass('{Table}') IS NOT NULL", cancellationToken))
        {
            return;
        }

        // Two schedulers starting together must not race on CREATE TABLE (it is not atomic with IF NOT EXISTS).
        await using var transaction = await session.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(session, "SELECT pg_advisory_xact_lock(@key)", cancellationToken, ("key", LockKey("|table|")));
        await ExecuteAsync(session, CreateTable, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<bool> InsertAsync(NpgsqlConnection session, string playbook, DateTimeOffset tick, string host, string status, CancellationToken cancellationToken) =>
        await ScalarAsync<int?>(
            session,
            $"INSERT INTO {Table} (playbook, tick, host, status) VALUES (@playbook, @tick, @host, @status) ON CONFLICT (playbook, tick) DO NOTHING RETURNING 1",
            cancellationToken,
            ("playbook", playbook),
            ("tick", tick),
            ("host", host),
            ("status", status)) is not null;

    private static async Task<string> OwnerAsync(NpgsqlConnection session, string playbook, DateTimeOffset tick, CancellationToken cancellationToken) =>
        await ScalarAsync<string?>(session, $"SELECT 'claimed by ' || host || ', ' || status FROM {Table} WHERE playbook = @playbook AND tick = @tick", cancellationToken, ("playbook", playbook), ("tick", tick))
        ?? "claimed by another host";

    private static async Task ExecuteAsync(NpgsqlConnection session, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(session, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection session, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(session, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? default! : (T)value;
    }

    private static NpgsqlCommand Command(NpgsqlConnection session, string sql, (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, session);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    /// <summary>
    /// The claimed tick: the session holding the playbook's lock until the run ends, checked
    /// every keep-alive interval by a background loop; one query at a time on the session.
    /// </summary>
    private sealed class Lease : ITickLease
    {
        private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(30);

        private readonly PostgresTarget _target;
        private readonly long _key;
        private readonly string _playbook;
        private readonly DateTimeOffset _tick;
        private readonly SemaphoreSlim _gate = new(1, 1);
        private readonly CancellationTokenSource _lost = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _watch;
        private NpgsqlConnection _session;
        private string? _lostReason;

        public Lease(PostgresTarget target, NpgsqlConnection session, long key, string playbook, DateTimeOffset tick, TimeSpan keepAlive)
        {
            _target = target;
            _session = session;
            _key = key;
            _playbook = playbook;
            _tick = tick;
            _watch = Task.Run(() => WatchAsync(keepAlive));
        }

        public CancellationToken Lost => _lost.Token;

        public string? LostReason => Volatile.Read(ref _lostReason);

        public async Task CompleteAsync(string status, CancellationToken cancellationToken)
        {
            const string Update = $"UPDATE {Table} SET status = @status, finished = now() WHERE playbook = @playbook AND tick = @tick";
            (string, object)[] parameters = [("status", status), ("playbook", _playbook), ("tick", _tick)];
            await _gate.WaitAsync(cancellationToken);
            try
            {
                await ExecuteAsync(_session, Update, cancellationToken, parameters);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // The lock's session is gone; the tick's row is recorded all the same.
                await using var fresh = await _target.OpenAsync(cancellationToken, commandTimeoutSeconds: 30);
                await ExecuteAsync(fresh, Update, cancellationToken, parameters);
            }
            finally
            {
                _gate.Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _watch;
            try
            {
                await ExecuteAsync(_session, "SELECT pg_advisory_unlock(@key)", CancellationToken.None, ("key", _key));
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // The session is gone; its locks went with it.
            }

            await _session.DisposeAsync();
            _gate.Dispose();
            _lost.Dispose();
            _stop.Dispose();
        }

        private async Task WatchAsync(TimeSpan keepAlive)
        {
            using var timer = new PeriodicTimer(keepAlive);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    await _gate.WaitAsync(_stop.Token);
                    try
                    {
                        if (await CheckAsync() is { } problem)
                        {
                            await LoseAsync(problem);
                        }
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // The run ended.
            }
        }

        /// <summary>Uses the session (the keep-alive) and asks whether it still holds the lock; null when all is well.</summary>
        private async Task<string?> CheckAsync()
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(CheckTimeout);
            try
            {
                var held = await ScalarAsync<bool>(_session, "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted)", timeout.Token);
                return held ? null : "its session no longer holds it";
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or OperationCanceledException or TimeoutException or IOException)
            {
                return $"its session dropped ({ex.Message})";
            }
        }

        /// <summary>Takes the lock again on a new session when nobody else holds it, and says what happened.</summary>
        private async Task LoseAsync(string problem)
        {
            string outcome;
            try
            {
                var fresh = await _target.OpenAsync(_stop.Token, commandTimeoutSeconds: 30);
                await PrepareSessionAsync(fresh, _stop.Token);
                if (await ScalarAsync<bool>(fresh, "SELECT pg_try_advisory_lock(@key)", _stop.Token, ("key", _key)))
                {
                    var old = _session;
                    _session = fresh;
                    await old.DisposeAsync();
                    outcome = "it was taken again on a new session, but until then another host could have started the playbook";
                }
                else
                {
                    await fresh.DisposeAsync();
                    outcome = "another session holds it now: another host may be running the playbook at the same time";
                }
            }
            catch (Exception ex) when (ex is Engine.Steps.StepFailedException or NpgsqlException or InvalidOperationException)
            {
                outcome = $"it could not be taken again ({ex.Message}): another host may start the playbook at any time";
            }

            var reason = $"{problem}; {outcome}";
            Volatile.Write(ref _lostReason, _lostReason is null ? reason : $"{_lostReason}; then {reason}");
            await _lost.CancelAsync();
        }
    }
}
