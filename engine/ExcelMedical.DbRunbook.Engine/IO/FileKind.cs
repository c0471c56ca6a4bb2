using System.Runtime.InteropServices;

namespace ExcelMedical.DbRunbook.Engine.IO;

/// <summary>What a path names, following symbolic links, as stat(2) tells.</summary>
internal enum FileKind
{
    Missing,
    Regular,
    Directory,
    Fifo,
    CharacterDevice,
    BlockDevice,
    Socket,
    Other,
}

/// <summary>
/// Tells a regular file from a FIFO or a device before anything opens it: opening a FIFO blocks
/// until a writer comes (a hung run that ignores SIGTERM), and reading /dev/zero never ends.
/// .NET has no public API for the file type, so this asks the runtime's own native shim
/// (libSystem.Native, shipped with every .NET on Unix) for its stat result.
/// </summary>
internal static class FileKinds
{
    // The shim's FileStatus starts { int32 Flags; int32 Mode; ... } on every platform; the buffer is
    // larger than the whole struct, so a future field at the end cannot overrun it.
    private const int StatusBufferBytes = 512;
    private const int ModeOffset = 4;

    public static FileKind Of(string path)
    {
        var status = new byte[StatusBufferBytes];
        int result;
        try
        {
            // The path goes as NUL-terminated UTF-8 bytes, the shim's own encoding.
            result = NativeMethods.Stat(System.Text.Encoding.UTF8.GetBytes(path + "\0"), status);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return Fallback(path);
        }

        if (result != 0)
        {
            return FileKind.Missing;
        }

        // The shim reports the type with the S_IF* values every Unix uses.
        return (BitConverter.ToInt32(status, ModeOffset) & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            _ => FileKind.Other,
        };
    }

    /// <summary>A human name for the kind, for "is not a regular file (it is a FIFO)".</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        FileKind.Directory => "a folder",
        FileKind.Missing => "missing",
        _ => "not a regular file",
    };

    /// <summary>Without the shim: only a non-empty file can be told apart for sure (FIFOs and devices have size 0).</summary>
    private static FileKind Fallback(string path)
    {
        if (Directory.Exists(path))
        {
            return FileKind.Directory;
        }

        var info = new FileInfo(path);
        return !info.Exists ? FileKind.Missing : info.Length > 0 ? FileKind.Regular : FileKind.Other;
    }

    private static class NativeMethods
    {
        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Stat(byte[] path, [Out] byte[] status);
    }
}
