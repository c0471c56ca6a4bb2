using System.Runtime.InteropServices;

namespace ExcelMedical.DbRunbook.Engine.State;

/// <summary>
/// Where a run's record goes when the state directory cannot take it (read-only, full, no
/// permission): <c>$XDG_RUNTIME_DIR/runbook</c>, else <c>/tmp/runbook-&lt;uid&gt;</c>, created 0700
/// with the state directory's layout, so <c>runbook history</c> lists those records too. A folder
/// already there is used only when it is a real folder (not a link) owned by this user with mode
/// 0700: in /tmp another local user could have planted it, to read the records or to redirect
/// root's writes through a link.
/// </summary>
internal static class FallbackStateDirectory
{
    public static string Resolve(IReadOnlyDictionary<string, string> environment)
    {
        if (environment.TryGetValue("XDG_RUNTIME_DIR", out var runtime) && Path.IsPathFullyQualified(runtime))
        {
            return Path.Combine(runtime, "runbook");
        }

        return OperatingSystem.IsWindows()
            ? Path.Combine(Path.GetTempPath(), "runbook")
            : $"/tmp/runbook-{NativeMethods.geteuid()}";
    }

    /// <summary>The folder, created if missing; throws <see cref="IOException"/> saying why it cannot be trusted.</summary>
    public static string Prepare(IReadOnlyDictionary<string, string> environment)
    {
        var folder = Resolve(environment);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return folder;
        }

        if (!Path.Exists(folder))
        {
            Directory.CreateDirectory(folder, IO.SecureFiles.DirectoryMode);
        }

        var (isDirectory, owner, mode) = Inspect(folder);
        if (!isDirectory || owner != NativeMethods.geteuid() || (mode & 0x1FF) != 0x1C0)
        {
            throw new IOException($"{folder} exists but is not a folder owned by this user with mode 0700 (a link, or made by someone else): not used for run records");
        }

        return folder;
    }

    /// <summary>The folder if it exists and can be trusted (see <see cref="Prepare"/>); null otherwise.</summary>
    public static string? Existing(IReadOnlyDictionary<string, string> environment)
    {
        var folder = Resolve(environment);
        if (!Directory.Exists(folder))
        {
            return null;
        }

        try
        {
            return Prepare(environment);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>lstat via statx(2), whose buffer has one layout on every Linux architecture.</summary>
    private static (bool IsDirectory, uint Owner, int Mode) Inspect(string path)
    {
        const int CurrentDirectory = -100;
        const int NoFollow = 0x100;
        const uint TypeModeAndOwner = 0x1 | 0x2 | 0x8;
        var buffer = new byte[256];
        int result;
        try
        {
            result = NativeMethods.statx(CurrentDirectory, path, NoFollow, TypeModeAndOwner, buffer);
        }
        catch (EntryPointNotFoundException ex)
        {
            throw new IOException($"cannot inspect {path}: this C library has no statx (glibc 2.28 or later is needed)", ex);
        }

        if (result != 0)
        {
            throw new IOException($"cannot inspect {path}: errno {Marshal.GetLastPInvokeError()}");
        }

        var owner = BitConverter.ToUInt32(buffer, 20);
        var mode = BitConverter.ToUInt16(buffer, 28);
        return ((mode & 0xF000) == 0x4000, owner, mode);
    }

    private static class NativeMethods
    {
        // Plain integers and a byte buffer: no marshalling worth a source generator.
#pragma warning disable SYSLIB1054, CA2101
        [DllImport("libc")]
        internal static extern uint geteuid();

        [DllImport("libc", SetLastError = true)]
        internal static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string pathname, int flags, uint mask, byte[] buffer);
#pragma warning restore SYSLIB1054, CA2101
    }
}
