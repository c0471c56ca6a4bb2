using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Files;

/// <summary>Where a path lives: its device, and (Linux 5.8+) its mount and whether it is the root of one.</summary>
internal sealed record FileSystemSpot(ulong Device, ulong? MountId, bool? MountRoot);

/// <summary>
/// Finds mount points inside a folder before anything in it is deleted, so a prune never walks
/// into another file system (a bind mount, a disk mounted under an old day folder) and deletes
/// what is there. .NET exposes no device or mount id, so every entry is examined with statx(2)
/// (never following links): a different mount id or device, or the mount-root attribute, marks a
/// mount point. A bind mount of a folder of the same disk has the same device, which is why the
/// mount id is compared too; on kernels without it /proc/self/mountinfo is read instead.
/// </summary>
internal static class MountBoundary
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtNoAutomount = 0x800;
    private const uint StatxBasicStats = 0x7ff;
    private const uint StatxMountId = 0x1000;
    private const ulong AttributeMountRoot = 0x2000;

    /// <summary>
    /// The first mount point at or inside <paramref name="folder"/> (the folder itself, when it is
    /// mounted), or null when the whole tree is on the file system of its parent.
    /// </summary>
    public static string? FirstMountPoint(string folder)
    {
        var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(folder));
        var top = Stat(folder);
        if (top.MountRoot == true || (parent is not null && Crosses(Stat(parent), top)))
        {
            return folder;
        }

        if (top.MountId is null && top.MountRoot is null && MountInfoPointAtOrUnder(folder) is { } listed)
        {
            return listed;
        }

        return FirstBelow(new DirectoryInfo(folder), top);
    }

    /// <summary>Whether <paramref name="path"/> (not followed if a link) is on the same mount as <paramref name="top"/>.</summary>
    public static bool SameMount(FileSystemSpot top, string path) => !Crosses(top, Stat(path));

    /// <summary>The spot of a path, never following a final link.</summary>
    public static FileSystemSpot Stat(string path)
    {
        var buffer = new byte[256];
        int result;
        try
        {
            result = NativeMethods.statx(AtFdCwd, System.Text.Encoding.UTF8.GetBytes(path + "\0"), AtSymlinkNoFollow | AtNoAutomount, StatxBasicStats | StatxMountId, buffer);
        }
        catch (EntryPointNotFoundException)
        {
            throw new IOException($"cannot tell which file system {path} is on: this C library has no statx (glibc 2.28 or newer is needed)");
        }

        if (result != 0)
        {
            throw new IOException($"cannot tell which file system {path} is on: statx failed ({Marshal.GetLastPInvokeErrorMessage()})");
        }

        var span = buffer.AsSpan();
        var mask = BinaryPrimitives.ReadUInt32LittleEndian(span);
        var attributes = BinaryPrimitives.ReadUInt64LittleEndian(span[8..]);
        var attributesKnown = BinaryPrimitives.ReadUInt64LittleEndian(span[56..]);
        var major = BinaryPrimitives.ReadUInt32LittleEndian(span[136..]);
        var minor = BinaryPrimitives.ReadUInt32LittleEndian(span[140..]);
        var mountId = BinaryPrimitives.ReadUInt64LittleEndian(span[144..]);
        return new FileSystemSpot(
            ((ulong)major << 32) | minor,
            (mask & StatxMountId) != 0 ? mountId : null,
            (attributesKnown & AttributeMountRoot) != 0 ? (attributes & AttributeMountRoot) != 0 : null);
    }

    private static bool Crosses(FileSystemSpot outer, FileSystemSpot inner) =>
        inner.Device != outer.Device || (inner.MountId is { } id && outer.MountId is { } outerId && id != outerId);

    private static string? FirstBelow(DirectoryInfo folder, FileSystemSpot top)
    {
        foreach (var entry in SafeTree.Entries(folder))
        {
            var spot = Stat(entry.FullName);
            if (spot.MountRoot == true || Crosses(top, spot))
            {
                return entry.FullName;
            }

            if (entry is DirectoryInfo child && !SafeTree.IsLink(entry) && FirstBelow(child, top) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>For kernels before 5.8 (no mount id in statx): a mount point listed at or under the folder's path.</summary>
    private static string? MountInfoPointAtOrUnder(string folder)
    {
        const string MountInfo = "/proc/self/mountinfo";
        if (!File.Exists(MountInfo))
        {
            return null;
        }

        var prefix = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        foreach (var line in File.ReadLines(MountInfo))
        {
            // "36 35 98:0 /mnt1 /mnt/parent rw ..." : the fifth field is the mount point, octal-escaped.
            var fields = line.Split(' ');
            if (fields.Length > 4 && Unescape(fields[4]) is var point
                && (point == prefix || point.StartsWith(prefix + "/", StringComparison.Ordinal)))
            {
                return point;
            }
        }

        return null;
    }

    private static string Unescape(string field) =>
        System.Text.RegularExpressions.Regex.Replace(field, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString());

    private static class NativeMethods
    {
        // statx(2) fills a fixed 256-byte struct whose layout is the same on every architecture; the
        // path goes as NUL-terminated UTF-8 bytes, so no string marshalling is involved.
#pragma warning disable SYSLIB1054
        [DllImport("libc", SetLastError = true)]
        internal static extern int statx(int dirfd, byte[] nulTerminatedPath, int flags, uint mask, byte[] buffer);
#pragma warning restore SYSLIB1054
    }
}
