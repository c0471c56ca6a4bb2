using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ExcelMedical.DbRunbook.Tests.Support;

/// <summary>What a real `runbook` process did: its exit code, its output, and its peak resident memory.</summary>
public sealed record MeasuredRunResult(int ExitCode, string Output, long PeakResidentBytes);

/// <summary>
/// Runs the real `runbook` program (dotnet runbook.dll, as installed) in its own process,
/// optionally as another OS user (setpriv, which keeps the process id), and follows its peak
/// resident set size: /proc/&lt;pid&gt;/status VmHWM is the kernel's high-water mark of the
/// process's own memory (child processes such as pg_restore are not in it), read every 20 ms
/// until the process exits, so the last reading is its peak.
/// </summary>
public static class MeasuredRun
{
    /// <summary>uid and gid of "nobody": a user that owns nothing and is in no group.</summary>
    public const string Nobody = "65534";

    public static async Task<MeasuredRunResult> RunAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory, string? asUser = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(asUser is null ? "dotnet" : "setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        if (asUser is not null)
        {
            foreach (var argument in new[] { $"--reuid={asUser}", $"--regid={asUser}", "--clear-groups", "--", "dotnet" })
            {
                info.ArgumentList.Add(argument);
            }
        }

        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "runbook.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var statusFile = $"/proc/{process.Id.ToString(CultureInfo.InvariantCulture)}/status";
        long peak = 0;
        var clock = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromMinutes(10);
        while (!process.HasExited)
        {
            peak = Math.Max(peak, HighWaterMark(statusFile));
            if (clock.Elapsed > limit)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"runbook did not finish within {limit}:\n{output}");
            }

            await Task.Delay(20);
        }

        await process.WaitForExitAsync();
        lock (output)
        {
            return new MeasuredRunResult(process.ExitCode, output.ToString(), peak);
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    /// <summary>VmHWM in bytes, or 0 when the process is gone (or a zombie, which has no memory lines).</summary>
    private static long HighWaterMark(string statusFile)
    {
        try
        {
            var line = File.ReadLines(statusFile).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
