using Serilog.Events;

namespace ExcelMedical.DbRunbook.Engine.Execution;

/// <summary>How to run a playbook: what the command line or the scheduler asked for.</summary>
internal sealed record RunRequest
{
    public bool DryRun { get; init; }

    /// <summary><c>--var name=value</c>: replaces the playbook's value of a variable.</summary>
    public IReadOnlyDictionary<string, string> Vars { get; init; } = new Dictionary<string, string>();

    /// <summary><c>--env-file</c>: used instead of the playbook's <c>env_file</c>.</summary>
    public string? EnvFile { get; init; }

    public string Trigger { get; init; } = "manual";

    /// <summary>The cron time a scheduled or catch-up run belongs to; kept in the run record.</summary>
    public DateTimeOffset? Tick { get; init; }

    public LogEventLevel ConsoleLevel { get; init; } = LogEventLevel.Information;

    /// <summary>
    /// After an interruption, <c>always</c> steps and notifications still run; this second token
    /// (a second Ctrl-C, or the scheduler's grace period) stops them too.
    /// </summary>
    public CancellationToken Abort { get; init; }

    /// <summary>
    /// For a scheduled run with <c>coordination</c>: the lease holding the playbook's multi-host
    /// lock. If it is lost during the run, the run logs it and notifies (see <see cref="Scheduling.ITickLease.Lost"/>).
    /// </summary>
    public Scheduling.ITickLease? Lease { get; init; }
}
