using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Loading;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Secrets;

namespace ExcelMedical.DbRunbook.Engine.Scheduling;

/// <summary>
/// <c>runbook schedule</c>: runs every playbook on its cron. One loop sleeps on the injected clock
/// until the next tick, the next file check or <see cref="SchedulerOptions.MaxSleep"/>, whichever
/// comes first, so it costs nothing between runs. Due ticks start runs in the background:
/// different playbooks run side by side, a playbook never overlaps itself (the late tick is
/// skipped and recorded). On stop it starts nothing new, gives running runs the grace period,
/// then cancels them (their always-steps still run).
/// </summary>
internal sealed class Scheduler
{
    private readonly RunbookHost _host;
    private readonly SchedulerOptions _options;
    private readonly SchedulerLog _log;
    private readonly PlaybookWatcher _watcher;
    private readonly ScheduleState _state;
    private readonly TickRunner _ticks;
    private readonly Dictionary<string, ScheduledPlaybook> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ActiveRun> _running = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>
    /// One masker for everything the scheduler writes itself (its log, skipped-run records,
    /// coordination errors), knowing the same secrets a run of each playbook knows.
    /// </summary>
    private readonly SecretMasker _secrets = new();

    public Scheduler(RunbookHost host, IReadOnlyList<string> paths, SchedulerOptions options)
    {
        _host = host;
        _options = options;
        foreach (var (name, value) in host.Environment)
        {
            _secrets.AddIfSecretName(name, value);
        }

        _log = new SchedulerLog(host.Time, host.Out, host.Error, _secrets, options.ConsoleLevel);
        _watcher = new PlaybookWatcher(paths, host.Steps, host.Templates, host.Environment);
        _state = new ScheduleState(host.StateDirectory);
        _ticks = new TickRunner(host, options, _log, _secrets, options.LocalCoordinator ?? new InProcessScheduleCoordinator());
    }

    private TimeProvider Time => _host.Time;

    /// <summary>
    /// Runs until <paramref name="stopping"/>; then waits for running runs up to the grace period
    /// (or until <paramref name="cancelRuns"/>), cancels them, and on <paramref name="abort"/>
    /// stops their always-steps too. Returns 0, or 2 when no playbook file was found.
    /// </summary>
    public async Task<int> RunAsync(CancellationToken stopping, CancellationToken cancelRuns = default, CancellationToken abort = default)
    {
        var now = Time.GetUtcNow();
        Apply(_watcher.Poll(), now);
        if (_watcher.FileCount == 0)
        {
            _log.Error("no playbooks found (looked for *.yaml and *.yml in the paths given)");
            return ExitCodes.Invalid;
        }

        var scheduled = _entries.Values.Count(e => e.Timetable is not null);
        _log.Info($"scheduler: {scheduled} of {_watcher.FileCount} playbook file(s) scheduled on host {_options.HostName}; files checked every {Duration.Format(_options.PollInterval)}");
        CatchUp(now);

        var nextPoll = now + _options.PollInterval;
        try
        {
            while (true)
            {
                stopping.ThrowIfCancellationRequested();
                now = Time.GetUtcNow();
                if (now >= nextPoll)
                {
                    Apply(_watcher.Poll(), now);
                    nextPoll = now + _options.PollInterval;
                }

                FireDue(now);
                var wake = _entries.Values
                    .Select(e => e.Next)
                    .OfType<DateTimeOffset>()
                    .Append(nextPoll)
                    .Append(now + _options.MaxSleep)
                    .Min();
                var sleep = Task.Delay(wake > now ? wake - now : TimeSpan.Zero, Time, stopping);
                Emit(new ScheduleEvent(ScheduleEventKind.Waiting, now, Until: wake));
                await sleep;
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Asked to stop: no new runs from here on.
        }

        await ShutdownAsync(cancelRuns, abort);
        return ExitCodes.Success;
    }

    /// <summary>The runs going on now, by playbook name.</summary>
    public IReadOnlyList<ActiveRun> Running()
    {
        lock (_gate)
        {
            return [.. _running.Values];
        }
    }

    private void FireDue(DateTimeOffset now)
    {
        foreach (var entry in _entries.Values.Where(e => e.Next <= now).ToList())
        {
            var timetable = entry.Timetable!;
            var tick = entry.Next!.Value;
            var missed = new List<DateTimeOffset>();
            while (timetable.NextAfter(tick) is { } later && later <= now)
            {
                missed.Add(tick);
                tick = later;
            }

            if (missed.Count > 0)
            {
                // The process was paused (suspend, a stopped container) or the clock jumped ahead.
                var message = $"missed {missed.Count} tick(s) from {timetable.Format(missed[0])} to {timetable.Format(missed[^1])}: the scheduler was paused or the clock jumped; running the latest one only";
                Record(entry.Playbook, missed[0], "schedule", message);
                Emit(new ScheduleEvent(ScheduleEventKind.Missed, now, entry.Name, missed[0], "schedule", message));
            }

            Fire(entry, tick, "schedule", now);
            entry.Next = timetable.NextAfter(tick);
            LogNext(entry, now);
        }
    }

    private void Fire(ScheduledPlaybook entry, DateTimeOffset tick, string trigger, DateTimeOffset now)
    {
        _state.Record(entry.Name, tick);
        var tickText = entry.Timetable!.Format(tick);
        ActiveRun? busy;
        var run = new ActiveRun(entry.Playbook, tick, tickText, trigger, now);
        lock (_gate)
        {
            if (!_running.TryGetValue(entry.Name, out busy))
            {
                _running[entry.Name] = run;
            }
        }

        if (busy is not null)
        {
            run.Dispose();
            var message = $"skipped: the {busy.Trigger} run of {busy.TickText} is still running (runs of a playbook never overlap)";
            Record(entry.Playbook, tick, trigger, $"tick {tickText} {message}");
            Emit(new ScheduleEvent(ScheduleEventKind.Skipped, now, entry.Name, tick, trigger, message));
            return;
        }

        Emit(new ScheduleEvent(ScheduleEventKind.Fired, now, entry.Name, tick, trigger));
        run.Task = Task.Run(async () =>
        {
            try
            {
                await _ticks.RunAsync(run);
            }
            finally
            {
                lock (_gate)
                {
                    _running.Remove(run.Name);
                }

                run.Dispose();
                Emit(new ScheduleEvent(ScheduleEventKind.Completed, Time.GetUtcNow(), run.Name, run.Tick, run.Trigger));
            }
        });
    }

    /// <summary>On start: a run missed while the scheduler was down is caught up once, inside the playbook's catch_up window.</summary>
    private void CatchUp(DateTimeOffset now)
    {
        foreach (var entry in _entries.Values.Where(e => e.Timetable is not null).ToList())
        {
            var decision = CatchUpPolicy.Decide(entry.Timetable!, entry.Playbook.CatchUp?.Value, _state.LastKnown(entry.Name), now);
            if (decision.Missed is not { } missed)
            {
                continue;
            }

            if (decision.Run)
            {
                _log.Info($"{entry.Name}: {decision.Reason}");
                Fire(entry, missed, "catch-up", now);
            }
            else
            {
                _state.Record(entry.Name, missed);
                Record(entry.Playbook, missed, "schedule", decision.Reason);
                Emit(new ScheduleEvent(ScheduleEventKind.Missed, now, entry.Name, missed, "schedule", decision.Reason));
            }
        }
    }

    /// <summary>Takes in what the file watcher found: new and edited playbooks, broken edits, removed files.</summary>
    private void Apply(IReadOnlyList<PlaybookChange> changes, DateTimeOffset now)
    {
        foreach (var change in changes)
        {
            _entries.TryGetValue(change.File, out var previous);
            switch (change.Kind)
            {
                case PlaybookChangeKind.Removed:
                    _entries.Remove(change.File);
                    _log.Info($"{previous?.Name ?? change.File}: the file {change.File} is gone; no longer scheduled");
                    Emit(new ScheduleEvent(ScheduleEventKind.Removed, now, previous?.Name, Detail: change.File));
                    break;
                case PlaybookChangeKind.Rejected:
                    Reject(change.File, change.Problems!, previous, now);
                    break;
                default:
                    if (change.Problems is { } warnings)
                    {
                        DiagnosticPrinter.Print(warnings, _host.Error, _secrets);
                    }

                    Load(change.File, change.Playbook!, previous, now);
                    break;
            }
        }
    }

    private void Load(string file, Playbook playbook, ScheduledPlaybook? previous, DateTimeOffset now)
    {
        var twin = _entries.FirstOrDefault(e => e.Key != file && e.Value.Name == playbook.Name);
        if (twin.Value is not null)
        {
            var problems = new DiagnosticBag();
            problems.Add(playbook.Location, $"the playbook name '{playbook.Name}' is already scheduled from {twin.Key}; names must be unique (they name the lock and the history)");
            Reject(file, problems, previous, now);
            return;
        }

        // Learning the secrets renders the playbook's variables: within the load's time budget,
        // on a thread of its own, like the rest of the load.
        var learning = new DiagnosticBag();
        if (IsolatedLoad.Run(file, LoadLimits.Default, learning, (_, _) => Learn(playbook)) is null)
        {
            Reject(file, learning, previous, now);
            return;
        }

        var entry = new ScheduledPlaybook(playbook, ScheduledPlaybook.TimetableOf(playbook, Time));
        entry.Next = previous is not null && previous.SameTimetable(entry) ? previous.Next : entry.Timetable?.NextAfter(now.AddTicks(-1));
        _entries[file] = entry;
        var coordination = playbook.Coordination is { } c ? $"coordinated through the PostgreSQL connection '{c.Value}'" : "not coordinated with other hosts";
        var catchUp = playbook.CatchUp is { } window && window.Value > TimeSpan.Zero ? $"catch_up {Duration.Format(window.Value)}" : "no catch-up";
        _log.Info(entry.Timetable is null
            ? $"{entry.Name}: {(previous is null ? "loaded" : "reloaded")} {file}: no 'schedule', not run by the scheduler"
            : $"{entry.Name}: {(previous is null ? "loaded" : "reloaded")} {file}: {entry.DescribeSchedule()}, {catchUp}, {coordination}");
        LogNext(entry, now);
        Emit(new ScheduleEvent(ScheduleEventKind.Loaded, now, entry.Name, Detail: file, Until: entry.Next));
    }

    private Playbook Learn(Playbook playbook)
    {
        CoordinationConnection.LearnSecrets(_host, playbook, _secrets);
        return playbook;
    }

    private void Reject(string file, DiagnosticBag problems, ScheduledPlaybook? previous, DateTimeOffset now)
    {
        DiagnosticPrinter.Print(problems, _host.Error);
        _log.Error(previous is null
            ? $"{file} is not valid (problems above); it is not scheduled until it is fixed"
            : $"{file} is not valid (problems above); the previous version of '{previous.Name}' keeps running on its schedule");
        Emit(new ScheduleEvent(ScheduleEventKind.Rejected, now, previous?.Name, Detail: string.Join("\n", problems.Sorted())));
    }

    private void LogNext(ScheduledPlaybook entry, DateTimeOffset now)
    {
        if (entry.Timetable is null)
        {
            return;
        }

        _log.Info(entry.Next is { } next
            ? $"{entry.Name}: next run at {entry.Timetable.Format(next)} (in {Duration.Format(next - now)})"
            : $"{entry.Name}: the schedule \"{entry.Timetable.Expression}\" never fires again");
    }

    /// <summary>A skipped tick: a record in the history, a line in the log.</summary>
    private void Record(Playbook playbook, DateTimeOffset tick, string trigger, string message)
    {
        _log.Warning($"{playbook.Name}: {message}");
        try
        {
            SkippedRun.Save(_host.StateDirectory, playbook, tick, trigger, message, Time.GetLocalNow(), _options.HostName, _secrets);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _log.Warning($"{playbook.Name}: cannot write the skipped-run record: {ex.Message}");
        }
    }

    private async Task ShutdownAsync(CancellationToken cancelRuns, CancellationToken abort)
    {
        var running = Running();
        Emit(new ScheduleEvent(ScheduleEventKind.Stopping, Time.GetUtcNow(), Detail: string.Join(", ", running.Select(r => r.Name))));
        if (running.Count > 0)
        {
            _log.Info($"scheduler: stopping; no new runs. Waiting up to {Duration.Format(_options.GracePeriod)} for {Describe(running)}");
            var all = Task.WhenAll(running.Select(r => r.Task));
            using var early = CancellationTokenSource.CreateLinkedTokenSource(cancelRuns, abort);
            await Task.WhenAny(all, Task.Delay(_options.GracePeriod, Time, early.Token));
            if (!all.IsCompleted)
            {
                var left = Running();
                _log.Warning($"scheduler: {(early.IsCancellationRequested ? "asked to cancel" : "the grace period is over")}: cancelling {Describe(left)}; their always-steps and notifications still run");
                Emit(new ScheduleEvent(ScheduleEventKind.Cancelling, Time.GetUtcNow(), Detail: string.Join(", ", left.Select(r => r.Name))));
                foreach (var run in left)
                {
                    Cancel(run.Interrupt);
                }

                await Task.WhenAny(all, Task.Delay(Timeout.InfiniteTimeSpan, abort));
                if (!all.IsCompleted)
                {
                    _log.Warning("scheduler: aborting the always-steps and notifications still running");
                    foreach (var run in Running())
                    {
                        Cancel(run.Abort);
                    }

                    await all;
                }
            }
        }

        _log.Info("scheduler: stopped");
        Emit(new ScheduleEvent(ScheduleEventKind.Stopped, Time.GetUtcNow()));
    }

    private static void Cancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run ended meanwhile.
        }
    }

    private string Describe(IReadOnlyList<ActiveRun> runs) =>
        string.Join(", ", runs.Select(r => $"{r.Name} (the {r.Trigger} run of {r.TickText}, running for {Duration.Format(Time.GetUtcNow() - r.Fired)})"));

    private void Emit(ScheduleEvent scheduleEvent) => _options.Events?.Invoke(scheduleEvent);
}
