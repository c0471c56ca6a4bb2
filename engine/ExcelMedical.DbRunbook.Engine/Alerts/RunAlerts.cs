using ExcelMedical.DbRunbook.Engine.Execution;

namespace ExcelMedical.DbRunbook.Engine.Alerts;

/// <summary>
/// The alerts of a run, as steps raise them (<c>context.Alerts.Raise(...)</c>). They are kept in
/// the run record, make notifiers with <c>on: [alert]</c> fire once per run with the whole group,
/// and are shown in the notice.
/// </summary>
public sealed class RunAlerts
{
    private readonly RunRecord record;

    internal RunAlerts(RunRecord record) => this.record = record;

    public IReadOnlyList<RunAlert> All => record.Alerts;

    public void Raise(RunAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        lock (record.Alerts)
        {
            record.Alerts.Add(alert);
        }
    }
}
