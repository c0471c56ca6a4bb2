namespace ExcelMedical.DbRunbook.Engine.Execution;

/// <summary>
/// The machine-readable record of a run (JSON in the state directory): steps, statuses,
/// durations, outputs. It is also the model reports and notifications are rendered from.
/// </summary>
internal sealed class RunRecord
{
    public required string Id { get; init; }

    public required string Playbook { get; init; }

    public required string File { get; init; }

    public required string Host { get; init; }

    /// <summary>The process that ran it: with <see cref="Host"/>, how the next run knows a record left <c>running</c> is stale.</summary>
    public int Pid { get; init; } = System.Environment.ProcessId;

    public required DateTimeOffset Started { get; init; }

    public DateTimeOffset? Finished { get; set; }

    public TimeSpan Duration => (Finished ?? Started) - Started;

    public RunStatus Status { get; set; } = RunStatus.Running;

    public int ExitCode { get; set; }

    public bool DryRun { get; init; }

    /// <summary>The run's log file; null for dry runs and when it could not be created.</summary>
    public string? LogFile { get; set; }

    /// <summary>How the run was started: <c>manual</c>, <c>schedule</c>, <c>catch-up</c>.</summary>
    public string Trigger { get; init; } = "manual";

    /// <summary>For scheduled and catch-up runs (and skipped ticks): the cron time the run belongs to.</summary>
    public DateTimeOffset? Tick { get; init; }

    /// <summary>
    /// For people, beside the status: why a scheduled tick was skipped (status <c>skipped</c>), or
    /// what a <c>warning</c> run left for a human.
    /// </summary>
    public string? Message { get; set; }

    public List<StepRecord> Steps { get; } = [];

    public List<StepRecord> Notifications { get; } = [];

    /// <summary>Monitoring alerts the steps raised (see <see cref="Alerts.RunAlerts"/>); not failures.</summary>
    public List<Alerts.RunAlert> Alerts { get; } = [];

    /// <summary>The first step that failed the run, if any.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public StepRecord? FailedStep => Steps.FirstOrDefault(s => s.IsFailure && !s.ContinuedOnError);

    /// <summary>Every step's warnings as "step: message", in run order; null when there are none.</summary>
    public IReadOnlyList<string>? Warnings
    {
        get
        {
            var all = Steps.SelectMany(s => s.WarningLines()).ToList();
            return all.Count == 0 ? null : all;
        }
    }

    /// <summary>
    /// Set when the multi-host lock of a scheduled run was lost while it ran (its session
    /// dropped): why. The failure and alert notifiers are told, whatever the steps did.
    /// </summary>
    public string? LockLost { get; set; }

    /// <summary>What went wrong, for people: the failing step and its message, or a problem before any step ran.</summary>
    public string? Error { get; set; }

    /// <summary>Notifiers that could not deliver; the run's own status is unchanged by them.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<StepRecord> FailedNotifications => Notifications.Where(n => n.IsFailure);
}
