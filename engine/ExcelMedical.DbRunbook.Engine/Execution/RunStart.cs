using ExcelMedical.DbRunbook.Engine.Logging;
using ExcelMedical.DbRunbook.Engine.Secrets;
using ExcelMedical.DbRunbook.Engine.State;
using Serilog.Core;
using Serilog.Events;

namespace ExcelMedical.DbRunbook.Engine.Execution;

/// <summary>
/// The bookkeeping around a run's steps, built so that no failure goes untold: what went wrong
/// before the first step (and the exit code it means), a logger that works without its log
/// file, the record written when the run starts (status <c>running</c>, so a killed run is found
/// by the next one), after every step and at the end, in the state directory or, when that
/// cannot take it, in the <see cref="FallbackStateDirectory"/>.
/// </summary>
internal sealed class RunStart
{
    public string? Error { get; private set; }

    public bool Failed => Error is not null;

    public int ExitCode { get; private set; } = ExitCodes.StepFailed;

    /// <summary>The first problem is the one the run fails with.</summary>
    public void Fail(string error, int exitCode = ExitCodes.StepFailed)
    {
        if (Error is null)
        {
            Error = error;
            ExitCode = exitCode;
        }
    }

    /// <summary>The run's logger; when the log file cannot be created, the run fails but still logs to the console.</summary>
    public Logger CreateLogger(TextWriter console, string? logPath, SecretMasker masker, LogEventLevel consoleLevel)
    {
        try
        {
            return RunLogger.Create(console, logPath, masker, consoleLevel);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Fail(masker.Apply($"cannot create the log file {logPath}: {ex.Message}"));
            return RunLogger.Create(console, null, masker, consoleLevel);
        }
    }

    /// <summary>
    /// Under the playbook's lock, before the first step: the record is written as <c>running</c>,
    /// then what killed runs of the playbook left is dealt with (their records marked
    /// interrupted, their half-written files removed).
    /// </summary>
    public void Begin(Run run)
    {
        try
        {
            run.Store.Save(run.Record, run.Secrets);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Fail($"cannot write the run record to the state directory {run.Store.StateDirectory} (set {StateDirectory.Variable}): {ex.Message}");
            return;
        }

        try
        {
            foreach (var stale in run.Store.MarkInterrupted(run.Playbook, run.Id, run.Time.GetLocalNow()))
            {
                run.Log.Warning("Run {RunId} of {Started:yyyy-MM-dd HH:mm:ss} never finished; it is recorded as interrupted", stale.Id, stale.Started);
            }

            var (removed, problems) = OutputJournal.Sweep(run.Store.StateDirectory, run.Playbook, run.Id);
            foreach (var path in removed)
            {
                run.Log.Warning("Removed {Path}, left half-written by an interrupted run", path);
            }

            foreach (var problem in problems)
            {
                run.Log.Warning("Could not clean up after an interrupted run: {Problem}", problem);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            run.Log.Warning("Could not check for interrupted runs of the playbook: {Message}", ex.Message);
        }
    }

    /// <summary>After each step of a live run: a killed run's record says how far it got.</summary>
    public static void SaveProgress(Run run)
    {
        if (run.Strategy.IsDryRun)
        {
            return;
        }

        try
        {
            run.Store.Save(run.Record, run.Secrets);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            run.Log.Warning("Cannot update the run record in {State}: {Message}", run.Store.StateDirectory, ex.Message);
        }
    }

    /// <summary>
    /// Before the notifiers: the record with the run's outcome. A record the state directory
    /// cannot take fails the run (history, restore drills and catch-up read those records), so
    /// the failure notifiers tell a person.
    /// </summary>
    public static void SaveBeforeNotifying(Run run)
    {
        var record = run.Record;
        record.ExitCode = ExitCodes.Of(record.Status);
        try
        {
            run.Store.Save(record, run.Secrets);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var error = $"the run record cannot be written to the state directory {run.Store.StateDirectory}: {ex.Message}";
            run.Log.Error("{Error}", error);
            if (record.Error?.Contains(run.Store.StateDirectory, StringComparison.Ordinal) != true)
            {
                record.Error = record.Error is null ? error : $"{record.Error}; {error}";
            }

            if (record.Status == RunStatus.Succeeded)
            {
                record.Status = RunStatus.Failed;
                record.ExitCode = ExitCodes.Of(record.Status);
            }
        }
    }

    /// <summary>The run's temporary files still listed (a step left behind after its timeout) are removed with its journal.</summary>
    public static void CloseOutputs(Run run)
    {
        try
        {
            foreach (var path in run.Outputs?.Close() ?? [])
            {
                run.Log.Warning("Removed {Path}, left half-written by a step of this run", path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            run.Log.Warning("Cannot remove the run's list of files in progress: {Message}", ex.Message);
        }
    }

    /// <summary>The final record (with the notifications' outcome): the state directory, else the fallback folder, else the console.</summary>
    public static void SaveFinal(Run run, IReadOnlyDictionary<string, string> environment)
    {
        string reason;
        try
        {
            var path = run.Store.Save(run.Record, run.Secrets);
            run.Log.Debug("Run record written to {Path}", path);
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            reason = ex.Message;
        }

        try
        {
            var fallback = new RunStore(FallbackStateDirectory.Prepare(environment));
            var path = fallback.Save(run.Record, run.Secrets);
            run.Log.Error(
                "The run record cannot be written to the state directory {State} ({Reason}); it was written to {Path} instead, where `runbook history` finds it",
                run.Store.StateDirectory, reason, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The last place left: the console (or the journal, under systemd), masked like every line.
            run.Log.Error(
                "The run record cannot be written to the state directory {State} ({Reason}) nor to {Fallback} ({FallbackReason}); here it is: {Record}",
                run.Store.StateDirectory, reason, FallbackStateDirectory.Resolve(environment), ex.Message, RunStore.Serialize(run.Record));
        }
    }
}
