namespace ExcelMedical.DbRunbook.Engine.Scheduling;

/// <summary>
/// Coordination inside one process: the default for playbooks without <c>coordination</c>, and
/// a stand-in for PostgreSQL when several schedulers share a process (tests). Claimed ticks are
/// remembered for a week.
/// </summary>
internal sealed class InProcessScheduleCoordinator : IScheduleCoordinator
{
    private static readonly TimeSpan Memory = TimeSpan.FromDays(7);

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Playbook, DateTimeOffset Tick), string> _ticks = [];
    private readonly Dictionary<string, string> _running = new(StringComparer.Ordinal);

    public string Description => "this process only";

    public Task<TickClaim> ClaimAsync(string playbook, DateTimeOffset tick, string host, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var old in _ticks.Keys.Where(k => k.Tick < tick - Memory).ToList())
            {
                _ticks.Remove(old);
            }

            if (_ticks.TryGetValue((playbook, tick), out var owner))
            {
                return Task.FromResult(new TickClaim(ClaimOutcome.ClaimedElsewhere, $"claimed by {owner}"));
            }

            _ticks[(playbook, tick)] = host;
            if (_running.TryGetValue(playbook, out var runner))
            {
                return Task.FromResult(new TickClaim(ClaimOutcome.Busy, $"{runner} is still running the previous run"));
            }

            _running[playbook] = host;
            return Task.FromResult(new TickClaim(ClaimOutcome.Acquired, $"claimed by {host}", new Lease(this, playbook)));
        }
    }

    private sealed class Lease(InProcessScheduleCoordinator owner, string playbook) : ITickLease
    {
        private int _released;

        public Task CompleteAsync(string status, CancellationToken cancellationToken) => Task.CompletedTask;

        // A lock in this process's memory cannot be lost while the process lives.
        public CancellationToken Lost => CancellationToken.None;

        public string? LostReason => null;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                lock (owner._gate)
                {
                    owner._running.Remove(playbook);
                }
            }

            return ValueTask.CompletedTask;
        }
    }
}
