using System.Diagnostics;

namespace ExcelMedical.DbRunbook.Engine.Loading;

/// <summary>
/// The time and memory one file's load may use, checked as the reader and the validator go
/// (every few hundred values), so a file over budget stops itself instead of running on.
/// Memory is what the loading thread allocated, which is exact because each load has its own
/// thread (<see cref="IsolatedLoad"/>).
/// </summary>
internal sealed class LoadBudget
{
    private readonly LoadLimits _limits;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly long _allocatedAtStart = GC.GetAllocatedBytesForCurrentThread();
    private int _calls;

    public LoadBudget(LoadLimits limits) => _limits = limits;

    /// <summary>A budget that never runs out, for callers that already hold parsed text (tests, tools).</summary>
    public static LoadBudget Unlimited => new(new LoadLimits { MaxLoadTime = TimeSpan.MaxValue, MaxLoadAllocation = long.MaxValue });

    public LoadLimits Limits => _limits;

    /// <summary>Throws <see cref="LoadBudgetExceededException"/> when the load has used its time or memory.</summary>
    public void Check()
    {
        // Reading the clock and the allocation counter costs little, but not nothing: sample.
        if (++_calls % 256 != 0)
        {
            return;
        }

        if (_clock.Elapsed > _limits.MaxLoadTime)
        {
            throw new LoadBudgetExceededException($"loading this file took longer than {Model.Duration.Format(_limits.MaxLoadTime)}; it is skipped");
        }

        if (GC.GetAllocatedBytesForCurrentThread() - _allocatedAtStart > _limits.MaxLoadAllocation)
        {
            throw new LoadBudgetExceededException($"loading this file needed more than {Model.ByteSize.Format(_limits.MaxLoadAllocation)} of memory; it is skipped");
        }
    }
}

/// <summary>A file's load went over its time or memory budget (<see cref="LoadLimits"/>).</summary>
internal sealed class LoadBudgetExceededException : Exception
{
    public LoadBudgetExceededException(string message)
        : base(message)
    {
    }

    public LoadBudgetExceededException()
    {
    }

    public LoadBudgetExceededException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
