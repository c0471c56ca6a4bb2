using System.Diagnostics;

namespace ExcelMedical.DbRunbook.Testing.Support;

/// <summary>Whether a process id still belongs to a running process.</summary>
public static class ProcessLiveness
{
    /// <summary>
    /// True while <paramref name="processId"/> runs. A zombie counts as gone: a daemon such as the
    /// postmaster is re-parented when it detaches, and in a container the new parent may never reap it.
    /// </summary>
    public static bool IsRunning(int processId)
    {
        var statFile = $"/proc/{processId}/stat";
        if (Directory.Exists("/proc/self"))
        {
            string stat;
            try
            {
                stat = File.ReadAllText(statFile);
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return true;
            }

            // Format: "pid (command) state ..."; the command may itself contain ") ".
            var afterCommand = stat.LastIndexOf(')');
            var state = afterCommand >= 0 && afterCommand + 2 < stat.Length ? stat[afterCommand + 2] : '?';
            return state is not ('Z' or 'X');
        }

        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
