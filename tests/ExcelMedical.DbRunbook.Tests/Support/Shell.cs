using System.Diagnostics;

namespace ExcelMedical.DbRunbook.Tests.Support;

/// <summary>Runs a shell command line exactly as an operator would type it (e.g. the guide's restore pipeline).</summary>
public static class Shell
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string commandLine, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-o");
        info.ArgumentList.Add("pipefail");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(commandLine);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
