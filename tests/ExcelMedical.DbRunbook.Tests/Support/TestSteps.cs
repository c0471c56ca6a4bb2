using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps;

namespace ExcelMedical.DbRunbook.Tests.Support;

/// <summary>Steps that exist only in tests, to drive the engine's rules precisely.</summary>
public static class TestSteps
{
    public static StepCatalog Catalog() => BuiltInSteps.Create()
        .Add<FlakyStep>()
        .Add<SleepStep>()
        .Add<FailStep>()
        .Add<EchoStep>()
        .Add<WarnStep>();

    /// <summary>The shipped catalog, as the committed schema describes it.</summary>
    public static StepCatalog WithoutTestSteps(this StepCatalog _) => BuiltInSteps.Create();

    /// <summary>Attempts seen per key, shared by the runs of one test.</summary>
    public static ConcurrentDictionary<string, int> Attempts { get; } = new();
}

public sealed class FlakyOptions
{
    [Required]
    public string Key { get; set; } = string.Empty;

    public int FailTimes { get; set; }
}

[Step("test.flaky", "Fails the first fail_times attempts, then succeeds")]
public sealed class FlakyStep : Step<FlakyOptions>
{
    public override Task<StepPlan> PlanAsync(StepContext context, FlakyOptions options, CancellationToken cancellationToken) =>
        Task.FromResult(StepPlan.Of("be flaky"));

    public override Task<StepOutputs> ExecuteAsync(StepContext context, FlakyOptions options, CancellationToken cancellationToken)
    {
        var attempt = TestSteps.Attempts.AddOrUpdate(options.Key, 1, (_, n) => n + 1);
        if (attempt <= options.FailTimes)
        {
            throw new StepFailedException($"attempt {attempt} fails on purpose");
        }

        return Task.FromResult(new StepOutputs().Add("attempt", attempt));
    }
}

public sealed class SleepOptions
{
    public TimeSpan For { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A file the step writes when it notices it was cancelled (proves cleanup ran).</summary>
    public string? CancelledMarker { get; set; }

    /// <summary>A file the step writes when it starts (lets a test wait for it).</summary>
    public string? StartedMarker { get; set; }
}

[Step("test.sleep", "Sleeps, honouring cancellation")]
public sealed class SleepStep : Step<SleepOptions>
{
    public override Task<StepPlan> PlanAsync(StepContext context, SleepOptions options, CancellationToken cancellationToken) =>
        Task.FromResult(StepPlan.Of($"sleep {options.For}"));

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, SleepOptions options, CancellationToken cancellationToken)
    {
        if (options.StartedMarker is not null)
        {
            await File.WriteAllTextAsync(options.StartedMarker, "started", CancellationToken.None);
        }

        try
        {
            await Task.Delay(options.For, context.Time, cancellationToken);
        }
        catch (OperationCanceledException) when (options.CancelledMarker is not null)
        {
            await File.WriteAllTextAsync(options.CancelledMarker, "cancelled", CancellationToken.None);
            throw;
        }

        return new StepOutputs().Add("slept", options.For.TotalSeconds);
    }
}

public sealed class FailOptions
{
    public string Message { get; set; } = "failed on purpose";
}

[Step("test.fail", "Always fails with the given message")]
public sealed class FailStep : Step<FailOptions>
{
    public override Task<StepPlan> PlanAsync(StepContext context, FailOptions options, CancellationToken cancellationToken) =>
        Task.FromResult(StepPlan.Of("fail"));

    public override Task<StepOutputs> ExecuteAsync(StepContext context, FailOptions options, CancellationToken cancellationToken) =>
        throw new InvalidOperationException(options.Message);
}

public sealed class WarnOptions
{
    public List<string> Warnings { get; set; } = [];
}

[Step("test.warn", "Does its job but leaves each of its warnings for a human")]
public sealed class WarnStep : Step<WarnOptions>
{
    public override Task<StepPlan> PlanAsync(StepContext context, WarnOptions options, CancellationToken cancellationToken) =>
        Task.FromResult(StepPlan.Of("warn"));

    public override Task<StepOutputs> ExecuteAsync(StepContext context, WarnOptions options, CancellationToken cancellationToken)
    {
        foreach (var warning in options.Warnings)
        {
            context.Warn(warning);
        }

        return Task.FromResult(new StepOutputs().Add("done", true));
    }
}

public sealed class EchoOptions
{
    public Dictionary<string, string> Values { get; set; } = [];
}

[Step("test.echo", "Returns its values as outputs")]
public sealed class EchoStep : Step<EchoOptions>
{
    public override Task<StepPlan> PlanAsync(StepContext context, EchoOptions options, CancellationToken cancellationToken) =>
        Task.FromResult(StepPlan.Of(Outputs(options), $"echo {string.Join(", ", options.Values.Select(v => $"{v.Key}={v.Value}"))}"));

    public override Task<StepOutputs> ExecuteAsync(StepContext context, EchoOptions options, CancellationToken cancellationToken)
    {
        context.Log.Information("echo {Values}", string.Join(", ", options.Values.Select(v => $"{v.Key}={v.Value}")));
        return Task.FromResult(Outputs(options));
    }

    private static StepOutputs Outputs(EchoOptions options)
    {
        var outputs = new StepOutputs();
        foreach (var (key, value) in options.Values)
        {
            outputs.Add(key, value);
        }

        return outputs;
    }
}
