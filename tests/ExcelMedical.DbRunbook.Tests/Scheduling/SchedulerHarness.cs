using System.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Scheduling;
using ExcelMedical.DbRunbook.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace ExcelMedical.DbRunbook.Tests.Scheduling;

/// <summary>
/// A <see cref="Scheduler"/> on a <see cref="FakeTimeProvider"/>: the test moves the clock from one
/// wake-up of the scheduler to the next, and waits (briefly, in real time) for the scheduler and
/// its runs to settle before looking. Runs are real runs of real playbooks (test steps).
/// </summary>
internal sealed class SchedulerHarness : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly List<ScheduleEvent> _events = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _cancelRuns = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();
    private readonly string _folder;
    private Task<int>? _running;

    public SchedulerHarness(
        TempDirectory dir,
        DateTimeOffset start,
        Func<SchedulerOptions, SchedulerOptions>? configure = null,
        FakeTimeProvider? sharedClock = null,
        TimeSpan skew = default,
        string folder = "playbooks",
        string state = "state",
        IDictionary<string, string>? environment = null)
    {
        Dir = dir;
        _folder = folder;
        Folder = dir[folder];
        Directory.CreateDirectory(Folder);
        StateDirectory = dir[state];
        Fake = sharedClock ?? new FakeTimeProvider(start);
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["RUNBOOK_STATE_DIR"] = StateDirectory,
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }

        Host = new RunbookHost
        {
            Time = skew == TimeSpan.Zero ? Fake : new SkewedTimeProvider(Fake, skew),
            Steps = TestSteps.Catalog().Add<TimerStep>(),
            Environment = env,
            Out = TextWriter.Synchronized(_output),
            Error = TextWriter.Synchronized(_error),
        };
        var options = new SchedulerOptions
        {
            PollInterval = TimeSpan.FromMinutes(1),
            MaxSleep = TimeSpan.FromHours(1),
            GracePeriod = TimeSpan.FromMinutes(10),
            HostName = "test-host",
            Events = Record,
        };
        Options = configure?.Invoke(options) ?? options;
        Scheduler = new Scheduler(Host, [Folder], Options);
    }

    public TempDirectory Dir { get; }

    public string Folder { get; }

    public string StateDirectory { get; }

    /// <summary>The clock the test moves (the scheduler may see it through a skewed view).</summary>
    public FakeTimeProvider Fake { get; }

    public RunbookHost Host { get; }

    public SchedulerOptions Options { get; }

    public Scheduler Scheduler { get; }

    public DateTimeOffset Now => Host.Time.GetUtcNow();

    public string Output => _output.ToString();

    public string Error => _error.ToString();

    public string All => Output + Error;

    public IReadOnlyList<ScheduleEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public IReadOnlyList<ScheduleEvent> Of(ScheduleEventKind kind, string? playbook = null) =>
        [.. Events.Where(e => e.Kind == kind && (playbook is null || e.Playbook == playbook))];

    public string Write(string name, string yaml) => Dir.Write(Path.Combine(_folder, name), yaml);

    /// <summary>Starts the scheduler and waits until it first sleeps.</summary>
    public async Task StartAsync()
    {
        _running = Task.Run(() => Scheduler.RunAsync(_stopping.Token, _cancelRuns.Token, _abort.Token));
        await WaitForAsync(() => _running.IsCompleted || Events.Any(e => e.Kind == ScheduleEventKind.Waiting), "the scheduler to start");
        if (_running.IsCompleted)
        {
            throw new InvalidOperationException($"the scheduler ended at once with exit code {await _running}:\n{All}");
        }
    }

    /// <summary>Moves the clock to <paramref name="target"/>, stopping at every wake-up of the scheduler; with <paramref name="settle"/>, lets every run finish at each stop.</summary>
    public Task AdvanceToAsync(DateTimeOffset target, bool settle = true) => AdvanceAllToAsync([this], target, settle);

    /// <summary>The same for schedulers sharing one fake clock (hosts of a cluster); stopped ones are left out.</summary>
    public static async Task AdvanceAllToAsync(IReadOnlyList<SchedulerHarness> harnesses, DateTimeOffset target, bool settle = true)
    {
        var fake = harnesses[0].Fake;
        while (fake.GetUtcNow() < target)
        {
            var live = harnesses.Where(h => !h.HasStopped).ToList();
            var sleeps = new List<(SchedulerHarness Harness, ScheduleEvent Sleep, DateTimeOffset Wake)>();
            foreach (var harness in live)
            {
                var sleep = await harness.SleepingAsync();
                sleeps.Add((harness, sleep, sleep.Until!.Value - harness.Offset));
            }

            var wake = sleeps.Count == 0 ? target : sleeps.Min(s => s.Wake);
            fake.Advance((wake < target ? wake : target) - fake.GetUtcNow());
            foreach (var (harness, sleep, _) in sleeps.Where(s => s.Wake <= fake.GetUtcNow()))
            {
                await harness.WaitForAsync(() => harness.Events.Any(e => e.Kind == ScheduleEventKind.Waiting && e.At == sleep.Until) || harness.HasStopped, $"the scheduler to wake at {sleep.Until:O}");
            }

            if (settle)
            {
                foreach (var harness in live)
                {
                    await harness.SettleAsync();
                }
            }
        }
    }

    public Task AdvanceAsync(TimeSpan span, bool settle = true) => AdvanceToAsync(Fake.GetUtcNow() + span, settle);

    /// <summary>The difference between the scheduler's clock and <see cref="Fake"/> (for a skewed host).</summary>
    public TimeSpan Offset => Host.Time.GetUtcNow() - Fake.GetUtcNow();

    /// <summary>The scheduler's current sleep (it is between iterations).</summary>
    public async Task<ScheduleEvent> SleepingAsync()
    {
        ScheduleEvent? latest = null;
        await WaitForAsync(
            () =>
            {
                latest = Events.LastOrDefault(e => e.Kind == ScheduleEventKind.Waiting);
                return latest is not null && latest.Until > Now;
            },
            "the scheduler to go to sleep");
        return latest!;
    }

    /// <summary>Waits until every fired tick is completed (its run finished, or it was skipped or taken elsewhere).</summary>
    public Task SettleAsync() => WaitForAsync(
        () => Events.Count(e => e.Kind == ScheduleEventKind.Fired) == Events.Count(e => e.Kind == ScheduleEventKind.Completed),
        "the runs to finish");

    /// <summary>Asks the scheduler to stop (the first SIGTERM) without waiting for it.</summary>
    public void RequestStop() => _stopping.Cancel();

    /// <summary>Stops the scheduler and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        RequestStop();
        return await CompletionAsync();
    }

    public async Task<int> CompletionAsync()
    {
        var running = _running ?? throw new InvalidOperationException("not started");
        await WaitForAsync(() => running.IsCompleted, "the scheduler to stop");
        return await running;
    }

    public bool HasStopped => _running?.IsCompleted == true;

    /// <summary>Polls a condition in real time (the scheduler and its runs work on other threads).</summary>
    public async Task WaitForAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Patience)
            {
                throw new TimeoutException($"timed out waiting for {what}; events:\n{string.Join("\n", Events.TakeLast(20))}\noutput:\n{All}");
            }

            await Task.Delay(5);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_running is not null && !_running.IsCompleted)
        {
            _stopping.Cancel();
            _cancelRuns.Cancel();
            _abort.Cancel();
            try
            {
                await _running.WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                // Leave it; the test already failed.
            }
        }

        _stopping.Dispose();
        _cancelRuns.Dispose();
        _abort.Dispose();
    }

    private void Record(ScheduleEvent scheduleEvent)
    {
        lock (_gate)
        {
            _events.Add(scheduleEvent);
        }
    }
}

/// <summary>A host whose clock is off by a fixed amount; timers still run on the shared fake clock.</summary>
internal sealed class SkewedTimeProvider(TimeProvider inner, TimeSpan skew) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + skew;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override long GetTimestamp() => inner.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        inner.CreateTimer(callback, state, dueTime, period);
}
