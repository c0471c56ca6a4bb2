using ExcelMedical.DbRunbook.Engine.Model;

namespace ExcelMedical.DbRunbook.Engine.Execution;

/// <summary>
/// Sends the playbook's <c>notify:</c> entries when the run has ended. Each notifier runs like
/// an <c>always</c> step with its own time limit; one that fails is recorded and logged but does
/// not change the run's status or hide the other channels.
/// </summary>
internal sealed class NotificationDispatcher(Run run, StepRunner runner)
{
    public async Task SendAsync(IReadOnlyList<NotifierDefinition> notifiers, RunRequest request)
    {
        foreach (var notifier in notifiers)
        {
            if (!run.Strategy.IsDryRun && !Fires(notifier.On, run.Record))
            {
                continue;
            }

            var definition = new StepDefinition(
                notifier.Id,
                notifier.Uses.Value,
                notifier.Uses,
                notifier.With,
                notifier.When,
                Retries: 1,
                RetryDelay: TimeSpan.FromSeconds(5),
                Timeout: PlaybookRunner.NotifierTimeout,
                ContinueOnError: true,
                Always: true,
                notifier.Location);
            var record = new StepRecord { Id = notifier.Id, Name = notifier.Uses.Value, Uses = notifier.Uses.Value, Always = true };
            run.Record.Notifications.Add(record);
            await runner.RunAsync(definition, record, request.Abort);
            if (run.Strategy.IsDryRun)
            {
                var when = string.Join(", ", notifier.On.Select(t => t.ToString().ToLowerInvariant()));
                foreach (var action in record.Plan)
                {
                    run.Log.Information("  on {Triggers}: would {Action}", when, action);
                }
            }
            else if (record.IsFailure)
            {
                run.Log.Error("Notification {Uses} failed: {Message}", notifier.Uses.Value, record.Message);
            }
            else if (record.Status == StepStatus.Succeeded)
            {
                run.Log.Information("Notification {Uses} sent", notifier.Uses.Value);
            }
        }
    }

    private static bool Fires(IReadOnlySet<NotifyTrigger> triggers, RunRecord record) =>
        triggers.Contains(NotifyTrigger.Always) || (triggers.Contains(NotifyTrigger.Alert) && record.Alerts.Count > 0)
        || (triggers.Contains(NotifyTrigger.Failure) && record.LockLost is not null) || record.Status switch
        {
            RunStatus.Succeeded => triggers.Contains(NotifyTrigger.Success),

            // A warning run did its job: whoever hears about successes hears about it too, so a
            // warning is never quieter than a success; on: [warning] alone hears only warnings.
            RunStatus.Warning => triggers.Contains(NotifyTrigger.Success) || triggers.Contains(NotifyTrigger.Warning),
            RunStatus.Failed => triggers.Contains(NotifyTrigger.Failure),
            RunStatus.Cancelled => triggers.Contains(NotifyTrigger.Cancelled) || triggers.Contains(NotifyTrigger.Failure),
            _ => false,
        };
}
