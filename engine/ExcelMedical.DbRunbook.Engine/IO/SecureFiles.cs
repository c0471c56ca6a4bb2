namespace ExcelMedical.DbRunbook.Engine.IO;

/// <summary>
/// Backups and logs hold patient-adjacent data and connection details: folders we create are
/// 0700 and files 0600, readable by their owner only, from the moment they exist.
/// </summary>
public static class SecureFiles
{
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the folder and any missing parents as 0700; existing folders keep their mode.</summary>
    public static void CreateDirectory(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            return;
        }

        var parent = Path.GetDirectoryName(full);
        if (parent is not null && !Directory.Exists(parent))
        {
            CreateDirectory(parent);
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(full);
        }
        else
        {
            Directory.CreateDirectory(full, DirectoryMode);
        }
    }

    /// <summary>Opens a new or existing file for writing, created 0600, with its folder created 0700.</summary>
    public static FileStream OpenWrite(string path, FileMode mode = System.IO.FileMode.Create, FileShare share = FileShare.Read, int bufferSize = 81920)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            CreateDirectory(directory);
        }

        var options = new FileStreamOptions
        {
            Mode = mode,
            Access = FileAccess.Write,
            Share = share,
            BufferSize = bufferSize,
            Options = FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        return new FileStream(path, options);
    }

    /// <summary>
    /// Writes a whole text file under a temporary name and renames it into place, so a reader
    /// never sees half of it; created 0600 unless <paramref name="mode"/> says otherwise.
    /// </summary>
    public static void WriteAllText(string path, string contents, UnixFileMode? mode = null) => WriteAllText(path, contents, mode, journal: null);

    /// <param name="journal">The run's record of temporary files in flight (see <see cref="State.OutputJournal"/>).</param>
    internal static void WriteAllText(string path, string contents, UnixFileMode? mode, State.OutputJournal? journal)
    {
        using var output = new AtomicOutput(path, keepExisting: false, journal);
        using (var stream = output.OpenFile())
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(contents);
        }

        if (mode is { } wanted && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(output.TemporaryPath, wanted);
        }

        output.Commit();
    }

    /// <summary>
    /// Makes every file and folder this process and its children create from now on owner-only
    /// (umask 077), so files written by programs we start (pg_dump, a shell step's command) are
    /// 0600 and folders 0700 like our own.
    /// </summary>
    public static void RestrictNewFiles()
    {
        if (!OperatingSystem.IsWindows())
        {
            _ = NativeMethods.umask(0b000_111_111);
        }
    }

    private static class NativeMethods
    {
        // umask(2) cannot fail and takes a plain integer: no marshalling, so DllImport suffices.
#pragma warning disable SYSLIB1054
        [System.Runtime.InteropServices.DllImport("libc")]
        internal static extern uint umask(uint mask);
#pragma warning restore SYSLIB1054
    }

    /// <summary>Makes sure a file exists with owner-only permissions before another library opens it.</summary>
    public static void Touch(string path)
    {
        using var stream = OpenWrite(path, System.IO.FileMode.Append, FileShare.ReadWrite);
    }

    /// <summary>Makes a file written by another program (pg_dump, tar) owner-only.</summary>
    public static void Restrict(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, Directory.Exists(path) ? DirectoryMode : FileMode);
        }
    }
}
