using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Files;

/// <summary>
/// Free-space checks made before a long write, so a full disk fails early and clearly, and the
/// message for a write the full disk stopped anyway.
/// </summary>
internal static class DiskSpace
{
    /// <summary>
    /// The newest earlier backup of the same kind, looked up in the sibling day folders of the
    /// root (…/root/YYYY-MM-DD/postgres_*.sql.gz): its size predicts the next one's. A folder under
    /// the root that cannot be read (lost+found of a dedicated backup disk, when the service runs
    /// as its own user) is skipped and named in <see cref="PreviousBackup.Unreadable"/>: it must
    /// never stop a backup.
    /// </summary>
    public static PreviousBackup FindPreviousBackup(string outputPath)
    {
        var full = Path.GetFullPath(outputPath);
        var day = Path.GetDirectoryName(full);
        var root = day is null ? null : Path.GetDirectoryName(day);
        if (root is null || !Directory.Exists(root))
        {
            return PreviousBackup.None;
        }

        var name = Path.GetFileName(full);
        var kind = name.Split('_')[0];
        var extension = name[(name.IndexOf('.', StringComparison.Ordinal) is var dot and >= 0 ? dot : name.Length)..];
        var unreadable = new List<string>();
        var candidates = new List<string>();
        foreach (var folder in Readable(root, unreadable, folder => Directory.EnumerateDirectories(folder)))
        {
            candidates.AddRange(Readable(folder, unreadable, f => Directory.EnumerateFileSystemEntries(f, kind + "_*" + extension)));
        }

        var previous = candidates
            .Where(path => !string.Equals(path, full, StringComparison.Ordinal) && !path.EndsWith(".partial", StringComparison.Ordinal))
            .Select(path => (Path: path, Time: File.GetLastWriteTimeUtc(path)))
            .OrderByDescending(entry => entry.Time)
            .Select(entry => entry.Path)
            .FirstOrDefault();
        return new PreviousBackup(previous is null ? null : SizeOf(previous), previous, unreadable);
    }

    /// <summary>The entries of a folder, or none (the folder noted as unreadable) when it cannot be listed.</summary>
    private static List<string> Readable(string folder, List<string> unreadable, Func<string, IEnumerable<string>> list)
    {
        try
        {
            return [.. list(folder)];
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            unreadable.Add($"{folder} ({ex.Message})");
            return [];
        }
    }

    /// <summary>Free space (for unprivileged writes) on the disk a file at <paramref name="path"/> would be written to.</summary>
    public static long Available(string path) => AvailableIn(Path.GetDirectoryName(Path.GetFullPath(path))!);

    /// <summary>Free space (for unprivileged writes) on the disk holding <paramref name="folder"/>.</summary>
    public static long AvailableIn(string folder) => new DriveInfo(ExistingFolder(folder)).AvailableFreeSpace;

    /// <summary>The folder, or its nearest parent that exists: a folder not created yet will lie on that one's disk.</summary>
    public static string ExistingFolder(string folder)
    {
        while (!Directory.Exists(folder))
        {
            folder = Path.GetDirectoryName(folder) ?? "/";
        }

        return folder;
    }

    /// <summary>Whether a write failed because the disk is full (ENOSPC).</summary>
    public static bool IsDiskFull(Exception ex) =>
        ex is IOException && ((ex.HResult & 0xFFFF) == 28 /* ENOSPC */ || ex.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The step failure for a write of <paramref name="output"/> that a full disk stopped, saying how
    /// much is free now; null when <paramref name="ex"/> is another failure.
    /// </summary>
    public static StepFailedException? DiskFull(Exception ex, string output) =>
        IsDiskFull(ex)
            ? new StepFailedException($"the disk is full while writing {output} ({Bytes(Available(output))} free): the partial file was removed; free space or move the backup root (BACKUP_ROOT_DIR)", ex)
            : null;

    /// <summary>
    /// Throws when the disk holding <paramref name="outputPath"/> has less than the last backup needs;
    /// folders it could not read while looking for that backup are logged as warnings and skipped.
    /// </summary>
    public static void EnsureRoomFor(string outputPath, double factor, Serilog.ILogger log)
    {
        var found = FindPreviousBackup(outputPath);
        foreach (var folder in found.Unreadable)
        {
            log.Warning("  skipped {Folder} while looking for the last backup's size: it cannot be read by this user", folder);
        }

        var previous = found.Size;
        if (previous is null)
        {
            return;
        }

        var needed = (long)(previous.Value * factor);
        var available = Available(outputPath);
        if (available < needed)
        {
            throw new StepFailedException(string.Create(
                CultureInfo.InvariantCulture,
                $"not enough free disk for {outputPath}: {Bytes(available)} free, the last backup was {Bytes(previous.Value)} (needs {Bytes(needed)} with factor {factor}); free space or move the backup root"));
        }
    }

    public static long SizeOf(string path) =>
        Directory.Exists(path)
            ? new DirectoryInfo(path).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 }).Sum(file => file.Length)
            : new FileInfo(path).Length;

    private static string Bytes(long bytes) => ByteSize.Format(bytes);
}

/// <summary>The last backup of a kind: its size and path (null when there is none), and the folders that could not be searched.</summary>
internal sealed record PreviousBackup(long? Size, string? Path, IReadOnlyList<string> Unreadable)
{
    public static readonly PreviousBackup None = new(null, null, []);

    /// <summary>The plan's line about skipped folders, or null.</summary>
    public string? SkippedNote => Unreadable.Count == 0 ? null : $"skip {string.Join(", ", Unreadable)} while looking for the last backup's size: it cannot be read by this user (a warning, not a failure)";
}
