using System.Diagnostics;
using System.Globalization;

namespace ExcelMedical.DbRunbook.Testing.Support;

/// <summary>
/// Cleans up a fixture's folder and processes if the test process dies without disposing it.
/// ProcessExit handlers are not enough: `dotnet test` kills the test host shortly after the last
/// test, often while a handler is still stopping a server. The watchdog is a small shell loop in
/// its own session (so killing the test host, or its process tree, does not reach it) that waits
/// until the test process is gone or the fixture's folder has been removed by a normal dispose,
/// then runs the fixture's cleanup script if the folder is still there.
/// </summary>
public static class OrphanWatchdog
{
    private const string Loop = """
        exec </dev/null >/dev/null 2>&1
        owner="$1"; folder="$2"
        while kill -0 "$owner" 2>/dev/null && [ -d "$folder" ]; do sleep 0.5; done
        [ -d "$folder" ] || exit 0

        """;

    /// <summary>
    /// Arms a watchdog for <paramref name="folder"/>. <paramref name="cleanupScript"/> is POSIX sh that
    /// runs with $folder set, after the owner died; the folder itself is removed afterwards.
    /// Does nothing where setsid is unavailable.
    /// </summary>
    public static void Arm(string folder, string cleanupScript)
    {
        const string SetSid = "/usr/bin/setsid";
        if (!File.Exists(SetSid))
        {
            return;
        }

        var startInfo = new ProcessStartInfo(SetSid)
        {
            UseShellExecute = false,
            // Pipes rather than the test host's own output: the loop closes them at once, so nothing
            // keeps the test runner waiting for output to end.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
        {
            "--fork", "/bin/sh", "-c", Loop + cleanupScript + "\nrm -rf \"$folder\"\n", "runbook-test-watchdog",
            Environment.ProcessId.ToString(CultureInfo.InvariantCulture), folder,
        })
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var setsid = Process.Start(startInfo);
        setsid?.WaitForExit();
    }
}
