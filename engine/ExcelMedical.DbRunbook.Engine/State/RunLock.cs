using System.Globalization;
using ExcelMedical.DbRunbook.Engine.IO;

namespace ExcelMedical.DbRunbook.Engine.State;

/// <summary>
/// One run of a playbook at a time. The lock is an exclusive open of a file in the state
/// directory (an advisory <c>flock</c> on Linux), so it is released even when the process is
/// killed; a side file says who holds it for the message the second run prints. A state
/// directory that cannot hold the lock (read-only, missing permissions) throws.
/// </summary>
internal sealed class RunLock : IDisposable
{
    private readonly FileStream _stream;
    private readonly string _infoPath;

    private RunLock(FileStream stream, string infoPath)
    {
        _stream = stream;
        _infoPath = infoPath;
    }

    public static bool TryAcquire(string stateDirectory, string playbook, DateTimeOffset now, out RunLock? runLock, out string holder)
    {
        var folder = Path.Combine(stateDirectory, "locks");
        SecureFiles.CreateDirectory(folder);
        var path = Path.Combine(folder, StateDirectory.FileNameOf(playbook) + ".lock");
        var infoPath = path + ".info";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = SecureFiles.FileMode;
            }

            var stream = new FileStream(path, options);
            try
            {
                SecureFiles.WriteAllText(infoPath, string.Create(CultureInfo.InvariantCulture, $"pid {Environment.ProcessId} since {now:yyyy-MM-dd HH:mm:ss zzz}"));
            }
            catch
            {
                stream.Dispose();
                throw;
            }

            runLock = new RunLock(stream, infoPath);
            holder = string.Empty;
            return true;
        }
        catch (IOException ex) when (HeldElsewhere(ex))
        {
            runLock = null;
            holder = File.Exists(infoPath) ? File.ReadAllText(infoPath).Trim() : "another process";
            return false;
        }
    }

    /// <summary>
    /// The one failure that means "locked": flock's EWOULDBLOCK (errno 11 on Linux, which .NET puts
    /// in HResult) or Windows' sharing violation. Any other error (a read-only or full state
    /// directory) is thrown: it is not another run, and saying so would hide the real problem.
    /// </summary>
    private static bool HeldElsewhere(IOException ex) => ex.HResult == 11 || (ex.HResult & 0xFFFF) == 32;

    public void Dispose()
    {
        try
        {
            File.Delete(_infoPath);
        }
        catch (IOException)
        {
            // The info file only decorates a message; the lock itself is the open stream.
        }

        _stream.Dispose();
    }
}
