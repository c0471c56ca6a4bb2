using System.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Options;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Engine.Templating;

namespace ExcelMedical.DbRunbook.Engine.Execution;

/// <summary>
/// Runs one step with the engine's rules: <c>when</c>, binding, <c>retries</c> with
/// <c>retry_delay</c>, per-attempt <c>timeout</c>, cancellation. It never throws: every outcome
/// becomes a status and a message on the <see cref="StepRecord"/>.
/// </summary>
internal sealed class StepRunner(Run run)
{
    /// <summary>How long a cancelled step gets to clean up (kill its child, delete its temp file) before the run moves on.</summary>
    public static readonly TimeSpan CleanupGrace = TimeSpan.FromSeconds(15);

    public async Task<StepRecord> RunAsync(StepDefinition definition, StepRecord record, CancellationToken runToken)
    {
        var clock = Stopwatch.StartNew();
        record.Started = run.Time.GetLocalNow();
        try
        {
            await RunCoreAsync(definition, record, runToken);
        }
        catch (Exception ex)
        {
            // A bug in the engine or a step must still end as a status, never as a crash of the run.
            record.Status = StepStatus.Failed;
            record.Message = run.Secrets.Apply(ex);
        }

        record.Duration = clock.Elapsed;
        return record;
    }

    private async Task RunCoreAsync(StepDefinition definition, StepRecord record, CancellationToken runToken)
    {
        if (definition.When?.Value is { } condition)
        {
            bool shouldRun;
            try
            {
                shouldRun = run.Templates.IsTrue(condition, run.Scope);
            }
            catch (TemplateException ex)
            {
                Fail(record, $"{definition.When.Location}: {ex.Message}");
                return;
            }

            if (!shouldRun)
            {
                record.Status = StepStatus.Skipped;
                record.Message = $"skipped: the condition '{condition}' is false";
                return;
            }
        }

        var descriptor = run.Catalog.Find(definition.Uses.Value);
        if (descriptor is null)
        {
            Fail(record, $"{definition.Uses.Location}: unknown step '{definition.Uses.Value}'");
            return;
        }

        var source = new RenderingScalarSource(run.Templates, run.Scope);
        var bound = OptionsBinder.Bind(descriptor.OptionsType, definition.With, source, $"step '{definition.Id}' ({descriptor.Name})");
        foreach (var secret in bound.Secrets)
        {
            run.Secrets.Add(secret);
        }

        var problems = source.Errors.Concat(bound.Diagnostics).ToList();
        if (problems.Count > 0)
        {
            Fail(record, string.Join("; ", problems.Select(p => p.ToString())));
            return;
        }

        var step = descriptor.Create();
        var context = run.ContextFor(record);
        var attempts = 1 + (run.Strategy.IsDryRun ? 0 : definition.Retries);
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            record.Attempts = attempt;

            // Warnings belong to the attempt that gave the step its outcome.
            record.Warnings = null;
            await AttemptAsync(step, context, bound.Options, definition, record, runToken);
            if (record.Status is StepStatus.Succeeded or StepStatus.Planned or StepStatus.Cancelled || attempt == attempts)
            {
                return;
            }

            run.Log.Warning("Step {StepId} attempt {Attempt}/{Attempts} {Status}: {Message}; retrying in {Delay}",
                definition.Id, attempt, attempts, StatusNames.Of(record.Status), record.Message, Duration.Format(definition.RetryDelay));
            try
            {
                await Task.Delay(definition.RetryDelay, run.Time, runToken);
            }
            catch (OperationCanceledException)
            {
                record.Status = StepStatus.Cancelled;
                record.Message = "cancelled while waiting to retry";
                return;
            }
        }
    }

    private async Task AttemptAsync(IStep step, StepContext context, object options, StepDefinition definition, StepRecord record, CancellationToken runToken)
    {
        using var timeout = definition.Timeout is { } limit
            ? new CancellationTokenSource(limit, run.Time)
            : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(runToken, timeout.Token);
        Task<StepOutcome>? work = null;
        try
        {
            work = run.Strategy.RunAsync(step, context, options, linked.Token);
            var outcome = await work.WaitAsync(linked.Token);
            record.Status = outcome.Status;
            record.Outputs = outcome.Outputs;
            record.Plan = [.. outcome.Plan.Select(run.Secrets.Apply)];
            record.Message = null;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !runToken.IsCancellationRequested)
        {
            await WaitForCleanupAsync(work);
            record.Status = StepStatus.TimedOut;
            record.Message = $"timed out after {Duration.Format(definition.Timeout!.Value)}";
        }
        catch (OperationCanceledException) when (runToken.IsCancellationRequested)
        {
            await WaitForCleanupAsync(work);
            record.Status = StepStatus.Cancelled;
            record.Message = "cancelled: the run was interrupted";
        }
        catch (StepFailedException ex)
        {
            Fail(record, run.Secrets.Apply(ex));
        }
        catch (Exception ex)
        {
            Fail(record, run.Secrets.Apply(ex));
        }
        finally
        {
            context.Progress.Clear();
        }
    }

    /// <summary>Gives a cancelled step a moment to kill its child process and remove its temp files.</summary>
    private async Task WaitForCleanupAsync(Task? work)
    {
        if (work is null || work.IsCompleted)
        {
            return;
        }

        try
        {
            await work.WaitAsync(CleanupGrace, run.Time);
        }
        catch (Exception)
        {
            // The step ended by cancelling or failing, which is what was asked; a step still
            // running after the grace period is left behind and reported by its status.
        }
    }

    private static void Fail(StepRecord record, string message)
    {
        record.Status = StepStatus.Failed;
        record.Message = message;
    }
}
