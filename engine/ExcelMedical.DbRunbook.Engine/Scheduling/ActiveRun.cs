using ExcelMedical.DbRunbook.Engine.Model;

namespace ExcelMedical.DbRunbook.Engine.Scheduling;

/// <summary>A tick being run: what, when, and the two ways to stop it (cancel the steps; then abort always-steps too).</summary>
internal sealed class ActiveRun(Playbook playbook, DateTimeOffset tick, string tickText, string trigger, DateTimeOffset fired) : IDisposable
{
    public Playbook Playbook { get; } = playbook;

    public string Name => Playbook.Name;

    public DateTimeOffset Tick { get; } = tick;

    /// <summary>The tick as the log shows it, in the playbook's time zone.</summary>
    public string TickText { get; } = tickText;

    /// <summary><c>schedule</c> or <c>catch-up</c>.</summary>
    public string Trigger { get; } = trigger;

    public DateTimeOffset Fired { get; } = fired;

    /// <summary>Cancelled when the grace period is over: the running step stops, always-steps run.</summary>
    public CancellationTokenSource Interrupt { get; } = new();

    /// <summary>Cancelled on a further signal: always-steps and notifications stop too.</summary>
    public CancellationTokenSource Abort { get; } = new();

    public Task Task { get; set; } = Task.CompletedTask;

    public void Dispose()
    {
        Interrupt.Dispose();
        Abort.Dispose();
    }
}
