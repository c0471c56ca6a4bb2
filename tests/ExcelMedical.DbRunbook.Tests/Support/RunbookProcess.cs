using System.Collections.Concurrent;
using System.Diagnostics;

namespace ExcelMedical.DbRunbook.Tests.Support;

/// <summary>
/// The real `runbook` process, for what only a process shows: a stack overflow (which kills the
/// process, not a test), a hang, memory. The GC heap can be capped (DOTNET_GCHeapHardLimit), so
/// "within a few hundred MB" is a limit the process must live under, not a number read afterwards.
/// </summary>
public sealed class RunbookProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private RunbookProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => _lines.Enqueue(e.Data ?? string.Empty);
        process.ErrorDataReceived += (_, e) => _lines.Enqueue(e.Data ?? string.Empty);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything printed so far, stdout and stderr interleaved.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    public string Output => string.Join('\n', _lines);

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Starts `runbook args...` in <paramref name="workingDirectory"/> with RUNBOOK_STATE_DIR set.</summary>
    public static RunbookProcess Start(string workingDirectory, string stateDirectory, IEnumerable<string> args, long? heapLimitBytes = null, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "runbook.dll"));
        foreach (var argument in args)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["RUNBOOK_STATE_DIR"] = stateDirectory;
        if (heapLimitBytes is { } limit)
        {
            info.Environment["DOTNET_GCHeapHardLimit"] = $"0x{limit:X}";
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return new RunbookProcess(Process.Start(info)!);
    }

    /// <summary>Runs to the end, or kills the process after <paramref name="timeout"/> (then <see cref="HasExited"/> is still answered truthfully: it was killed).</summary>
    public static async Task<(int ExitCode, string Output, TimeSpan Elapsed, bool TimedOut)> RunAsync(
        string workingDirectory, string stateDirectory, IEnumerable<string> args, TimeSpan timeout, long? heapLimitBytes = null, IDictionary<string, string>? environment = null)
    {
        using var runbook = Start(workingDirectory, stateDirectory, args, heapLimitBytes, environment);
        var timedOut = !await runbook.WaitForExitAsync(timeout);
        return (timedOut ? -1 : runbook.ExitCode, runbook.Output, runbook.Elapsed, timedOut);
    }

    /// <summary>True when the process ended within <paramref name="timeout"/>; otherwise it is killed.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);

            // Let the asynchronous readers deliver the last lines.
            _process.WaitForExit();
            return true;
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            return false;
        }
    }

    /// <summary>Waits until a line matching <paramref name="predicate"/> is printed, the process ends, or the timeout passes.</summary>
    public async Task<bool> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_lines.Any(predicate))
            {
                return true;
            }

            if (_process.HasExited)
            {
                await Task.Delay(200);
                return _lines.Any(predicate);
            }

            await Task.Delay(100);
        }

        return false;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
