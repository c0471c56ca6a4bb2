namespace ExcelMedical.DbRunbook.Engine.Scheduling;

/// <summary>What happened in the scheduler, as it happened; the log says the same in words. Tests follow these.</summary>
internal enum ScheduleEventKind
{
    /// <summary>A playbook file was loaded or reloaded; <see cref="ScheduleEvent.Until"/> is its next tick.</summary>
    Loaded,

    /// <summary>A playbook file is invalid; the previous version, if any, stays scheduled.</summary>
    Rejected,

    /// <summary>A playbook file disappeared.</summary>
    Removed,

    /// <summary>A tick is due and a run was handed to the coordinator and runner.</summary>
    Fired,

    /// <summary>The coordinator gave this scheduler the tick; the run starts.</summary>
    Started,

    /// <summary>Another scheduler claimed the tick.</summary>
    ClaimedElsewhere,

    /// <summary>The tick did not run: the playbook was still running, or coordination failed.</summary>
    Skipped,

    /// <summary>A tick passed while the scheduler was not running and is not caught up.</summary>
    Missed,

    /// <summary>A run ended; <see cref="ScheduleEvent.Detail"/> is its status.</summary>
    Finished,

    /// <summary>Everything a <see cref="Fired"/> tick led to is over (always the last event of a tick).</summary>
    Completed,

    /// <summary>The scheduler sleeps until <see cref="ScheduleEvent.Until"/> (or an earlier signal).</summary>
    Waiting,

    /// <summary>A stop was asked for: no new runs; running ones get the grace period.</summary>
    Stopping,

    /// <summary>The grace period is over: running runs are cancelled (their always steps still run).</summary>
    Cancelling,

    /// <summary>The scheduler has stopped.</summary>
    Stopped,
}

/// <summary>One scheduler event: when (scheduler's clock), which playbook and tick, and details.</summary>
internal sealed record ScheduleEvent(
    ScheduleEventKind Kind,
    DateTimeOffset At,
    string? Playbook = null,
    DateTimeOffset? Tick = null,
    string? Trigger = null,
    string? Detail = null,
    DateTimeOffset? Until = null);
