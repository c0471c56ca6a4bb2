using ExcelMedical.DbRunbook.Engine.Execution;
using Serilog.Events;

namespace ExcelMedical.DbRunbook.Engine.Scheduling;

/// <summary>How <c>runbook schedule</c> behaves; the defaults are what the systemd unit uses.</summary>
internal sealed record SchedulerOptions
{
    /// <summary>How often playbook files are checked for edits, new and removed files.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>After SIGTERM, how long running runs may take before they are cancelled.</summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The longest single sleep: the scheduler re-reads the clock at least this often, so a clock
    /// step (NTP, suspend and resume) delays a tick by at most this much.
    /// </summary>
    public TimeSpan MaxSleep { get; init; } = TimeSpan.FromMinutes(1);

    public LogEventLevel ConsoleLevel { get; init; } = LogEventLevel.Information;

    /// <summary>This scheduler's name in coordination records and skipped-run records.</summary>
    public string HostName { get; init; } = Environment.MachineName;

    /// <summary>Makes the coordinator for a playbook's <c>coordination</c> connection (PostgreSQL advisory locks in the CLI).</summary>
    public Func<ConnectionSettings, IScheduleCoordinator>? Coordination { get; init; }

    /// <summary>The coordinator of playbooks without <c>coordination</c> (default: one for this scheduler alone).</summary>
    public IScheduleCoordinator? LocalCoordinator { get; init; }

    /// <summary>Receives every <see cref="ScheduleEvent"/>, from any thread.</summary>
    public Action<ScheduleEvent>? Events { get; init; }
}
