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
/// </summary>
internal sealed class PostgresScheduleCoordinator(ConnectionSettings connection) : IScheduleCoordinator
{
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
            // Let the server notice a dead host within about a minute and free its lock.
            await ExecuteAsync(session, "SET tcp_keepalives_idle = 30; SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 3", cancellationToken);
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
            return new TickClaim(ClaimOutcome.Acquired, $"claimed by {host} in {Description}", new Lease(session, key, playbook, utc));
        }
        finally
        {
            if (!handedOver)
            {
                await session.DisposeAsync();
            }
        }
    }

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

    /// <summary>The claimed tick: the session holding the playbook's lock until the run ends.</summary>
    private sealed class Lease(NpgsqlConnection session, long key, string playbook, DateTimeOffset tick) : ITickLease
    {
        public async Task CompleteAsync(string status, CancellationToken cancellationToken) =>
            await ExecuteAsync(session, $"UPDATE {Table} SET status = @status, finished = now() WHERE playbook = @playbook AND tick = @tick", cancellationToken, ("status", status), ("playbook", playbook), ("tick", tick));

        public async ValueTask DisposeAsync()
        {
            try
            {
                await ExecuteAsync(session, "SELECT pg_advisory_unlock(@key)", CancellationToken.None, ("key", key));
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // The session is gone; its locks went with it.
            }

            await session.DisposeAsync();
        }
    }
}
