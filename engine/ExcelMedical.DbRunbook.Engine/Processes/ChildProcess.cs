using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace ExcelMedical.DbRunbook.Engine.Processes;

/// <summary>
/// A started child process whose whole process tree is killed when the step is cancelled or
/// times out, so an interrupted pg_dump never lingers. Standard error is kept (the last lines)
/// for error messages; standard output is either read as lines or handed over as a stream.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private const int KeptErrorLines = 200;

    private readonly Process _process;
    private readonly Queue<string> _errorLines = new();
    private readonly Lock _gate = new();
    private readonly Task _stderrPump;

    private ChildProcess(Process process, Action<string>? onErrorLine)
    {
        _process = process;
        _stderrPump = PumpErrorsAsync(onErrorLine);
    }

    public int ProcessId => _process.Id;

    /// <summary>Standard output as bytes (for dumps streamed straight into a compressor).</summary>
    public Stream StandardOutput => _process.StandardOutput.BaseStream;

    public Stream StandardInput => _process.StandardInput.BaseStream;

    /// <summary>The last lines the program wrote to standard error.</summary>
    public string ErrorText
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _errorLines).Trim();
            }
        }
    }

    /// <summary>The last lines of standard error on one line, for an error message (see <see cref="OutputTail.Lines"/>).</summary>
    public string ErrorSummary(int lines = 5) => OutputTail.Lines(ErrorText, lines);

    public static ChildProcess Start(ProcessSpec spec, Action<string>? onErrorLine = null, bool redirectInput = false)
    {
        var info = new ProcessStartInfo(spec.Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = spec.WorkingDirectory ?? string.Empty,
        };
        foreach (var argument in spec.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in spec.Environment)
        {
            info.Environment[name] = value;
        }

        try
        {
            var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {spec.Program}");
            return new ChildProcess(process, onErrorLine);
        }
        catch (Win32Exception ex)
        {
            throw new Steps.StepFailedException($"cannot start '{spec.Program}': {ex.Message} (is it installed and on PATH?)", ex);
        }
    }

    /// <summary>Finds a program on PATH (or returns the path when it is one); null when absent.</summary>
    public static string? Locate(string program, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(program) ? program : null;
        }

        var path = environment is not null && environment.TryGetValue("PATH", out var p) ? p : System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>Waits for the exit; on cancellation kills the process tree and rethrows.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw;
        }

        await _stderrPump;
        return _process.ExitCode;
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Runs a program to completion, collecting its output as text.</summary>
    public static async Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken, Action<string>? onOutputLine = null, Action<string>? onErrorLine = null)
    {
        using var child = Start(spec, onErrorLine);
        var output = new StringBuilder();
        var reader = new StreamReader(child.StandardOutput, Encoding.UTF8);
        var pump = Task.Run(async () =>
        {
            while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
            {
                output.AppendLine(line);
                onOutputLine?.Invoke(line);
            }
        }, CancellationToken.None);
        try
        {
            var exitCode = await child.WaitForExitAsync(cancellationToken);
            await pump;
            return new ProcessResult(exitCode, output.ToString(), child.ErrorText);
        }
        finally
        {
            child.Kill();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private Task PumpErrorsAsync(Action<string>? onErrorLine) => Task.Run(async () =>
    {
        try
        {
            while (await _process.StandardError.ReadLineAsync() is { } line)
            {
                lock (_gate)
                {
                    _errorLines.Enqueue(line);
                    if (_errorLines.Count > KeptErrorLines)
                    {
                        _errorLines.Dequeue();
                    }
                }

                onErrorLine?.Invoke(line);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The process was killed; what was read so far is kept.
        }
    });
}

public sealed record ProcessResult(int ExitCode, string Output, string Error)
{
    /// <summary>The last lines of standard error on one line, for an error message (see <see cref="OutputTail.Lines"/>).</summary>
    public string ErrorSummary(int lines = 5) => OutputTail.Lines(Error, lines);
}
