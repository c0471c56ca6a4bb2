using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Logging;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Secrets;

namespace ExcelMedical.DbRunbook.Engine.Scheduling;

/// <summary>
/// Runs one fired tick: claim it from the coordinator, run the playbook with the scheduler's
/// trigger and tick, record the outcome with the coordinator; a tick that cannot run leaves a
/// <c>skipped</c> record. Never throws: the scheduler must outlive any run.
/// </summary>
internal sealed class TickRunner(RunbookHost host, SchedulerOptions options, SchedulerLog log, SecretMasker masker, IScheduleCoordinator local)
{
    public async Task RunAsync(ActiveRun run)
    {
        var name = run.Name;
        var tick = run.Tick;
        try
        {
            var claim = await ClaimAsync(run);
            if (claim is null)
            {
                return;
            }

            switch (claim.Outcome)
            {
                case ClaimOutcome.ClaimedElsewhere:
                    log.Info($"{name}: the tick of {Format(run)} is taken by another scheduler ({claim.Detail})");
                    Emit(ScheduleEventKind.ClaimedElsewhere, run, claim.Detail);
                    return;
                case ClaimOutcome.Busy:
                    Skip(run, $"skipped: {claim.Detail} (runs of a playbook never overlap)");
                    return;
            }

            await using var lease = claim.Lease!;
            var status = await ExecuteAsync(run, lease);
            try
            {
                await lease.CompleteAsync(status, CancellationToken.None);
            }
            catch (Exception ex)
            {
                log.Warning($"{name}: could not record the end of the tick of {Format(run)} with the coordinator: {masker.Apply(ex)}");
            }
        }
        catch (Exception ex)
        {
            log.Error($"{name}: the tick of {Format(run)} ended unexpectedly: {masker.Apply(ex)}");
            Emit(ScheduleEventKind.Finished, run, "error");
        }
    }

    private async Task<TickClaim?> ClaimAsync(ActiveRun run)
    {
        var coordinator = local;
        try
        {
            if (run.Playbook.Coordination is { } coordination)
            {
                var factory = options.Coordination
                    ?? throw new InvalidOperationException("this scheduler has no coordination support configured");
                coordinator = factory(CoordinationConnection.Resolve(host, run.Playbook, coordination.Value, masker));
            }

            return await coordinator.ClaimAsync(run.Name, run.Tick, options.HostName, run.Interrupt.Token);
        }
        catch (OperationCanceledException) when (run.Interrupt.IsCancellationRequested)
        {
            Skip(run, "skipped: the scheduler stopped before the run could start");
            return null;
        }
        catch (Exception ex)
        {
            Skip(run, $"skipped: coordination through {(run.Playbook.Coordination is { } c ? $"connection '{c.Value}'" : coordinator.Description)} failed, so the tick was not run (it might run twice otherwise): {masker.Apply(ex)}", error: true);
            return null;
        }
    }

    private async Task<string> ExecuteAsync(ActiveRun run, ITickLease lease)
    {
        var prefix = $"[{run.Name}] ";
        using var output = new LinePrefixWriter(host.Out, prefix);
        using var error = new LinePrefixWriter(host.Error, prefix);
        var runHost = new RunbookHost
        {
            Time = host.Time,
            Steps = host.Steps,
            Templates = host.Templates,
            Environment = host.Environment,
            Out = output,
            Error = error,
        };
        var request = new RunRequest
        {
            Trigger = run.Trigger,
            Tick = run.Tick,
            ConsoleLevel = options.ConsoleLevel,
            Abort = run.Abort.Token,
            Lease = lease,
        };
        log.Info($"{run.Name}: starting the {run.Trigger} run of {Format(run)}");
        Emit(ScheduleEventKind.Started, run);
        var result = await new PlaybookRunner(runHost).RunAsync(run.Playbook, request, run.Interrupt.Token);
        if (result.ExitCode == ExitCodes.Locked)
        {
            Skip(run, "skipped: another run of the playbook holds its lock (a manual `runbook run`?)");
            return StatusNames.Of(RunStatus.Skipped);
        }

        var status = result.Record is { } record ? StatusNames.Of(record.Status) : StatusNames.Of(RunStatus.Failed);
        var took = result.Record is { } done ? $" in {Duration.Format(done.Duration)}" : string.Empty;
        var line = $"{run.Name}: the {run.Trigger} run of {Format(run)} {status}{took} (exit code {result.ExitCode})";
        if (result.ExitCode == ExitCodes.Success)
        {
            log.Info(line);
        }
        else
        {
            log.Warning(line);
        }

        Emit(ScheduleEventKind.Finished, run, status);
        return status;
    }

    private void Skip(ActiveRun run, string message, bool error = false)
    {
        var now = host.Time.GetLocalNow();
        try
        {
            SkippedRun.Save(host.StateDirectory, run.Playbook, run.Tick, run.Trigger, message, now, options.HostName, masker);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            log.Warning($"{run.Name}: cannot write the skipped-run record: {ex.Message}");
        }

        var line = $"{run.Name}: tick {Format(run)} {message}";
        if (error)
        {
            log.Error(line);
        }
        else
        {
            log.Warning(line);
        }

        Emit(ScheduleEventKind.Skipped, run, message);
    }

    private static string Format(ActiveRun run) => run.TickText;

    private void Emit(ScheduleEventKind kind, ActiveRun run, string? detail = null) =>
        options.Events?.Invoke(new ScheduleEvent(kind, host.Time.GetUtcNow(), run.Name, run.Tick, run.Trigger, detail));
}
