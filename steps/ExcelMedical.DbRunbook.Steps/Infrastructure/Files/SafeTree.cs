namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Files;

/// <summary>
/// Walks, measures and deletes folder trees without ever following a symbolic link: a link is
/// removed or skipped as a link, so nothing outside the tree can be reached through it.
/// </summary>
internal static class SafeTree
{
    private static readonly EnumerationOptions AllEntries = new()
    {
        RecurseSubdirectories = false,
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        ReturnSpecialDirectories = false,
    };

    /// <summary>The entries directly inside a folder, dot files included.</summary>
    public static IEnumerable<FileSystemInfo> Entries(DirectoryInfo folder) => folder.EnumerateFileSystemInfos("*", AllEntries);

    public static bool IsLink(FileSystemInfo entry) =>
        entry.LinkTarget is not null || entry.Attributes.HasFlag(FileAttributes.ReparsePoint);

    /// <summary>True when the path is a real folder, not a link to one.</summary>
    public static bool IsRealDirectory(string path)
    {
        var info = new DirectoryInfo(path);
        return info.Exists && !IsLink(info);
    }

    /// <summary>Bytes of the regular files in the tree; links count as nothing.</summary>
    public static long Size(DirectoryInfo folder)
    {
        long total = 0;
        foreach (var entry in Entries(folder))
        {
            if (IsLink(entry))
            {
                continue;
            }

            total += entry switch
            {
                DirectoryInfo child => Size(child),
                FileInfo file => file.Length,
                _ => 0,
            };
        }

        return total;
    }

    /// <summary>
    /// Deletes the tree depth first; links inside it are unlinked, their targets untouched. Every
    /// entry is checked to be on the file system <paramref name="stayOn"/> (the tree's own, proved
    /// before by <see cref="MountBoundary.FirstMountPoint"/>): a mount that appeared since is never entered.
    /// </summary>
    public static void Delete(DirectoryInfo folder, FileSystemSpot stayOn)
    {
        foreach (var entry in Entries(folder))
        {
            if (!MountBoundary.SameMount(stayOn, entry.FullName))
            {
                throw new IOException($"{entry.FullName} is on another file system (a mount point appeared while pruning); it and its folder were left alone");
            }

            if (IsLink(entry) || entry is not DirectoryInfo)
            {
                // unlink(2): removes a link itself, whatever it points to.
                File.Delete(entry.FullName);
            }
            else
            {
                Delete((DirectoryInfo)entry, stayOn);
            }
        }

        folder.Delete(recursive: false);
    }
}
