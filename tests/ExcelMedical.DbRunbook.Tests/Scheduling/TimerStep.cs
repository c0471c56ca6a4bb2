using ExcelMedical.DbRunbook.Engine.Steps;

namespace ExcelMedical.DbRunbook.Tests.Scheduling;

public sealed class TimerOptions
{
    public TimeSpan For { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Written once the timer is armed on the run's clock, so a test may move the clock from then on.</summary>
    public string? ArmedMarker { get; set; }

    /// <summary>Written when the wait is cancelled.</summary>
    public string? CancelledMarker { get; set; }
}

/// <summary>Waits on the run's clock; unlike test.sleep, it says so only after its timer is armed.</summary>
[Step("test.timer", "Waits on the run's clock, marking when the timer is armed")]
public sealed class TimerStep : Step<TimerOptions>
{
    public override Task<StepPlan> PlanAsync(StepContext context, TimerOptions options, CancellationToken cancellationToken) =>
        Task.FromResult(StepPlan.Of($"wait {options.For}"));

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, TimerOptions options, CancellationToken cancellationToken)
    {
        var wait = Task.Delay(options.For, context.Time, cancellationToken);
        if (options.ArmedMarker is not null)
        {
            await File.WriteAllTextAsync(options.ArmedMarker, "armed", CancellationToken.None);
        }

        try
        {
            await wait;
        }
        catch (OperationCanceledException) when (options.CancelledMarker is not null)
        {
            await File.WriteAllTextAsync(options.CancelledMarker, "cancelled", CancellationToken.None);
            throw;
        }

        return new StepOutputs().Add("waited", options.For.TotalSeconds);
    }
}
