using System.Security.Cryptography;
using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.IO;
using ExcelMedical.DbRunbook.Engine.Loading;
using ExcelMedical.DbRunbook.Engine.Logging;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Reporting;
using ExcelMedical.DbRunbook.Engine.Secrets;
using ExcelMedical.DbRunbook.Engine.State;
using ExcelMedical.DbRunbook.Engine.Templating;
using Serilog;

namespace ExcelMedical.DbRunbook.Engine.Execution;

/// <summary>
/// Runs a playbook from start to end: validate, prepare, lock, steps in order, <c>always</c>
/// steps, notifications, the run record. Returns the exit code; never throws for a failed step.
/// </summary>
internal sealed class PlaybookRunner(RunbookHost host)
{
    /// <summary>How long each notifier may take; a hung mail server must not hold the run.</summary>
    public static readonly TimeSpan NotifierTimeout = TimeSpan.FromSeconds(60);

    public async Task<RunResult> RunAsync(string playbookPath, RunRequest request, CancellationToken cancellationToken)
    {
        var diagnostics = new DiagnosticBag();
        var playbook = new PlaybookLoader(host.Steps, host.Templates, host.Environment).Load(playbookPath, diagnostics);
        if (playbook is null)
        {
            DiagnosticPrinter.Print(diagnostics, host.Error);
            return new RunResult(ExitCodes.Invalid, null);
        }

        return await RunAsync(playbook, request, cancellationToken);
    }

    public async Task<RunResult> RunAsync(Playbook playbook, RunRequest request, CancellationToken cancellationToken)
    {
        // Files the steps' programs create (pg_dump, a shell step's command) are owner-only too.
        SecureFiles.RestrictNewFiles();
        var masker = new SecretMasker();
        var scope = new TemplateScope();
        var started = host.Time.GetLocalNow();
        var runId = $"{started:yyyyMMdd'T'HHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        var setup = new RunSetup(host, playbook, request, masker, scope);
        scope.SetRun("id", runId);
        scope.SetRun("started", started.DateTime);
        scope.SetRun("playbook", playbook.Name);
        scope.SetRun("status", StatusNames.Of(RunStatus.Running));
        scope.SetRun("dry_run", request.DryRun);
        scope.SetRun("trigger", request.Trigger);

        // Everything that can be prepared is, even after a problem: the notifiers of a run that
        // cannot start render from the same environment and variables.
        var problems = new DiagnosticBag();
        var prepared = setup.TryLoadEnvironment(problems);
        prepared = setup.TryRenderValues(problems) && prepared;
        var logFile = prepared ? setup.RenderLogPath(problems) : null;
        var start = new RunStart();
        if (problems.HasErrors)
        {
            DiagnosticPrinter.Print(problems, host.Error, masker);
            start.Fail(
                $"the run could not be prepared: {string.Join("; ", problems.Sorted().Where(p => !p.IsWarning))}",
                problems.Sorted().Any(p => p.Message.Contains("--env-file", StringComparison.Ordinal)) ? ExitCodes.Invalid : ExitCodes.StepFailed);
            if (request.DryRun)
            {
                return new RunResult(start.ExitCode, null);
            }
        }

        var logPath = request.DryRun || start.Failed ? null : logFile;
        scope.SetRun("log_file", start.Failed ? null : logFile);
        var store = new RunStore(host.StateDirectory);
        RunLock? runLock = null;
        if (!request.DryRun && !start.Failed)
        {
            try
            {
                if (!RunLock.TryAcquire(store.StateDirectory, playbook.Name, started, out runLock, out var holder))
                {
                    await host.Error.WriteLineAsync($"error: playbook '{playbook.Name}' is already running ({holder}); this run was not started. Try again when it has finished.");
                    return new RunResult(ExitCodes.Locked, null);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                start.Fail($"cannot use the state directory {store.StateDirectory} (run records and locks; set {StateDirectory.Variable}): {ex.Message}");
            }
        }

        using (runLock)
        {
            var logger = start.CreateLogger(host.Out, logPath, masker, request.ConsoleLevel);
            using (logger)
            {
                // Warnings found while preparing (a missing env_file) go where the run's messages go.
                foreach (var warning in problems.Warnings())
                {
                    logger.Warning("{Warning}", masker.Apply(warning.ToString()));
                }

                var live = !request.DryRun && !start.Failed;
                var run = new Run
                {
                    Record = new RunRecord
                    {
                        Id = runId,
                        Playbook = playbook.Name,
                        File = Path.GetFullPath(playbook.FilePath),
                        Host = System.Environment.MachineName,
                        Started = started,
                        DryRun = request.DryRun,
                        LogFile = start.Failed ? null : logPath,
                        Trigger = request.Trigger,
                        Tick = request.Tick,
                    },
                    PlaybookDirectory = playbook.Directory,
                    Time = host.Time,
                    Catalog = host.Steps,
                    Templates = host.Templates,
                    Scope = scope,
                    Secrets = masker,
                    Log = logger,
                    Strategy = request.DryRun ? new DryRunExecutionStrategy() : new LiveExecutionStrategy(),
                    Connections = setup.Connections,
                    Environment = setup.Environment,
                    Store = store,
                    Outputs = live ? new OutputJournal(store.StateDirectory, playbook.Name, runId) : null,
                    Progress = Logging.StepProgress.For(host.Out, host.InteractiveConsole && !request.DryRun && request.ConsoleLevel <= Serilog.Events.LogEventLevel.Information, masker, host.Time),
                };
                if (live)
                {
                    start.Begin(run);
                }

                var lease = request.Lease;
                using var leaseWatch = lease?.Lost.Register(() => run.Log.Error(
                    "The multi-host lock of playbook {Playbook} was lost during run {RunId}: {Reason}", playbook.Name, runId, lease.LostReason));
                if (start.Failed)
                {
                    await FailBeforeStepsAsync(playbook, run, request, start.Error!);
                }
                else
                {
                    await ExecuteAsync(playbook, run, request, cancellationToken);
                }

                return Finish(run, request, start, host.Environment);
            }
        }
    }

    /// <summary>
    /// A run that could not start (no log file, no state directory, a variable that would not
    /// render) is still a run: it fails with the reason, tells the notifiers that can still be
    /// rendered, and leaves a record (see <see cref="Finish"/>).
    /// </summary>
    private static async Task FailBeforeStepsAsync(Playbook playbook, Run run, RunRequest request, string error)
    {
        run.Log.Error("Run {RunId} of playbook {Playbook} ({File}) could not start: {Error}", run.Id, playbook.Name, run.PlaybookFile, error);
        run.Record.Status = RunStatus.Failed;
        run.Record.Error = error;
        await EndAsync(playbook, run, request, new StepRunner(run));
    }

    private static async Task ExecuteAsync(Playbook playbook, Run run, RunRequest request, CancellationToken cancellationToken)
    {
        var log = run.Log;
        var runner = new StepRunner(run);
        if (request.DryRun)
        {
            log.Information("Dry run of playbook {Playbook} ({File}): nothing will be changed", playbook.Name, run.PlaybookFile);
        }
        else
        {
            log.Information("Run {RunId} of playbook {Playbook} ({File})", run.Id, playbook.Name, run.PlaybookFile);
        }

        var failed = false;
        foreach (var step in playbook.Steps)
        {
            var record = new StepRecord { Id = step.Id, Name = step.DisplayName, Uses = step.Uses.Value, Always = step.Always };
            run.Record.Steps.Add(record);
            var interrupted = cancellationToken.IsCancellationRequested;
            if (!step.Always && (failed || interrupted))
            {
                record.Status = StepStatus.Skipped;
                record.Message = interrupted ? "skipped: the run was interrupted" : "skipped: an earlier step failed";
                log.Information("- {StepId} skipped ({Reason})", step.Id, interrupted ? "run interrupted" : "an earlier step failed");
                Publish(run, record, failed, interrupted);
                continue;
            }

            // After an interruption, always-steps still run: they get the abort token only.
            var token = interrupted ? request.Abort : cancellationToken;
            log.Information("> {StepId} ({Uses})", step.Id, step.Uses.Value);
            await runner.RunAsync(step, record, token);
            LogOutcome(log, record);
            if (record.IsFailure)
            {
                if (step.ContinueOnError)
                {
                    record.ContinuedOnError = true;
                    log.Warning("  {StepId} failed but continue_on_error is set; the run goes on", step.Id);
                }
                else
                {
                    failed = true;
                }
            }

            Publish(run, record, failed, cancellationToken.IsCancellationRequested);
            RunStart.SaveProgress(run);
        }

        var status = Outcome(run, failed, cancellationToken.IsCancellationRequested || run.Record.Steps.Any(s => s.Status == StepStatus.Cancelled));
        run.Record.Status = status;
        run.Record.Error = status == RunStatus.Failed && run.Strategy.IsDryRun ? DryRunProblem(run.Record)
            : run.Record.FailedStep is { } failedStep ? $"step '{failedStep.Id}' ({failedStep.Uses}) {StatusNames.Of(failedStep.Status).Replace('_', ' ')}: {failedStep.Message}"
            : status == RunStatus.Cancelled ? "the run was interrupted"
            : null;
        if (status == RunStatus.Warning && run.Record.Warnings is { } warnings)
        {
            run.Record.Message = warnings.Count == 1 ? warnings[0] : $"{warnings.Count} warnings; first: {warnings[0]}";
        }

        await EndAsync(playbook, run, request, runner);
    }

    /// <summary>
    /// The end every run goes through: the outcome fixed, the record saved before anyone is told
    /// (a record that cannot be saved fails the run, so the notifiers say so), then the notifiers.
    /// </summary>
    private static async Task EndAsync(Playbook playbook, Run run, RunRequest request, StepRunner runner)
    {
        run.Record.Finished = run.Time.GetLocalNow();
        if (request.Lease?.LostReason is { } lost)
        {
            // The steps may have done their work, but the promise of no overlap did not hold: an alert, for failure and alert notifiers alike.
            run.Record.LockLost = lost;
            new Alerts.RunAlerts(run.Record).Raise(new Alerts.RunAlert("runbook.coordination_lock", Alerts.AlertSeverity.Critical, Alerts.AlertTransition.Firing,
                $"the multi-host lock of playbook '{playbook.Name}' was lost during the run ({lost}); another host may have run it at the same time", run.Record.Finished.Value));
        }

        if (!run.Strategy.IsDryRun)
        {
            RunStart.SaveBeforeNotifying(run);
            RunStart.CloseOutputs(run);
        }

        RunModel.Publish(run.Scope, run.Record);
        run.Scope.SetRun("outcome", StatusNames.Of(run.Record.Status));
        await new NotificationDispatcher(run, runner).SendAsync(playbook.Notify, request);
    }

    /// <summary>
    /// How the run ends, or has gone so far. A dry run ends planned, unless a step could not be
    /// planned (a database it would act on cannot be reached): then it failed, exit 1.
    /// </summary>
    private static RunStatus Outcome(Run run, bool failed, bool interrupted) =>
        interrupted ? RunStatus.Cancelled
        : run.Strategy.IsDryRun ? (run.Record.Steps.Any(s => s.IsFailure) ? RunStatus.Failed : RunStatus.Planned)
        : failed ? RunStatus.Failed
        : run.Record.Steps.Any(s => s.LeftSomethingForAHuman) ? RunStatus.Warning
        : RunStatus.Succeeded;

    private static string DryRunProblem(RunRecord record)
    {
        var unplanned = record.Steps.Where(s => s.IsFailure).ToList();
        return $"the dry run is incomplete: {string.Join("; ", unplanned.Select(s => $"step '{s.Id}' ({s.Uses}) could not be planned: {s.Message}"))}";
    }

    private static void Publish(Run run, StepRecord record, bool failed, bool interrupted)
    {
        // The outcome so far, for always-steps (a summary report) that render before the run ends,
        // with the time so far as the run's duration.
        run.Scope.SetRun("outcome", StatusNames.Of(Outcome(run, failed, interrupted)));

        // A dry run shows the path of a successful run: later conditions see a planned step as succeeded.
        var status = record.Status == StepStatus.Planned ? StepStatus.Succeeded : record.Status;
        run.Scope.SetStep(record.Id, StatusNames.Of(status), record.Outputs);
        RunModel.Publish(run.Scope, run.Record);
        var elapsed = run.Time.GetLocalNow() - run.Record.Started;
        run.Scope.SetRun("duration", elapsed);
        run.Scope.SetRun("duration_seconds", Math.Round(elapsed.TotalSeconds, 1));

        // While the run goes on, run.status says how it is going so far, for always-steps' conditions.
        run.Scope.SetRun("status", StatusNames.Of(interrupted ? RunStatus.Cancelled : failed ? RunStatus.Failed : RunStatus.Running));
    }

    private static void LogOutcome(ILogger log, StepRecord record)
    {
        var took = Duration.Format(record.Duration);
        switch (record.Status)
        {
            case StepStatus.Succeeded:
                log.Information("  {StepId} succeeded in {Duration}", record.Id, took);
                break;
            case StepStatus.Planned:
                foreach (var action in record.Plan)
                {
                    log.Information("  would {Action}", action);
                }

                break;
            case StepStatus.Skipped:
                log.Information("  {StepId} {Message}", record.Id, record.Message);
                break;
            default:
                log.Error("  {StepId} {Status} after {Duration}: {Message}", record.Id, StatusNames.Of(record.Status).Replace('_', ' '), took, record.Message);
                break;
        }
    }

    private static RunResult Finish(Run run, RunRequest request, RunStart start, IReadOnlyDictionary<string, string> environment)
    {
        var record = run.Record;
        record.ExitCode = start.Failed ? start.ExitCode : ExitCodes.Of(record.Status);
        var log = run.Log;
        if (request.DryRun)
        {
            if (record.Status == RunStatus.Failed)
            {
                log.Error("Dry run failed: {Error}; nothing was changed", record.Error);
            }
            else
            {
                log.Information("Dry run finished: {Count} step(s) planned, nothing was changed", record.Steps.Count(s => s.Status == StepStatus.Planned));
            }

            return new RunResult(record.ExitCode, record);
        }

        RunStart.SaveFinal(run, environment);
        foreach (var notification in record.FailedNotifications)
        {
            log.Warning("Notification {Uses} was not delivered: {Message}", notification.Uses, notification.Message);
        }

        if (record.Status == RunStatus.Succeeded)
        {
            log.Information("Run {RunId} succeeded in {Duration}", record.Id, Duration.Format(record.Duration));
        }
        else if (record.Status == RunStatus.Warning)
        {
            log.Warning("Run {RunId} succeeded with {Count} warning(s) in {Duration}; left for a human:", record.Id, record.Warnings?.Count ?? 0, Duration.Format(record.Duration));
            foreach (var warning in record.Warnings ?? [])
            {
                log.Warning("  {Warning}", warning);
            }
        }
        else
        {
            log.Error("Run {RunId} {Status} after {Duration}: {Error}", record.Id, StatusNames.Of(record.Status), Duration.Format(record.Duration), record.Error);
        }

        return new RunResult(record.ExitCode, record);
    }
}

internal sealed record RunResult(int ExitCode, RunRecord? Record);
