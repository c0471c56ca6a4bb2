namespace ExcelMedical.DbRunbook.Engine.Scheduling;

/// <summary>
/// Where schedulers agree who runs a tick. Each tick of a playbook is claimed once: the claim
/// that wins runs it; the others learn that it ran elsewhere, or that the playbook is still
/// running elsewhere (the tick is then skipped everywhere, like a local overlap).
/// </summary>
public interface IScheduleCoordinator
{
    /// <summary>A short description for the scheduler's log, without secrets.</summary>
    string Description { get; }

    /// <summary>Claims <paramref name="tick"/> of <paramref name="playbook"/> for <paramref name="host"/>. Throws when the coordinator cannot be reached.</summary>
    Task<TickClaim> ClaimAsync(string playbook, DateTimeOffset tick, string host, CancellationToken cancellationToken);
}

public enum ClaimOutcome
{
    /// <summary>This scheduler runs the tick; complete and dispose the lease when the run ends.</summary>
    Acquired,

    /// <summary>Another scheduler claimed this tick (it ran, runs, or was skipped there).</summary>
    ClaimedElsewhere,

    /// <summary>Another scheduler is still running an earlier tick of the playbook: this tick is skipped.</summary>
    Busy,
}

/// <summary>The answer to a claim; <see cref="Lease"/> is set when it was <see cref="ClaimOutcome.Acquired"/>.</summary>
public sealed record TickClaim(ClaimOutcome Outcome, string Detail, ITickLease? Lease = null);

/// <summary>Holds a claimed tick (and the playbook's lock) while its run goes on.</summary>
public interface ITickLease : IAsyncDisposable
{
    /// <summary>Records how the run ended (succeeded, failed, cancelled, skipped).</summary>
    Task CompleteAsync(string status, CancellationToken cancellationToken);

    /// <summary>
    /// Cancelled when the coordinator finds that the lease no longer holds (the session holding
    /// the lock dropped): from then on another host may start an overlapping run. The run logs it
    /// at once and tells its failure and alert notifiers when it ends.
    /// </summary>
    CancellationToken Lost { get; }

    /// <summary>What happened, for people, once <see cref="Lost"/> is cancelled.</summary>
    string? LostReason { get; }
}
