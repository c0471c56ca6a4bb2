using ExcelMedical.DbRunbook.Engine.IO;

namespace ExcelMedical.DbRunbook.Engine.State;

/// <summary>
/// The files a run is writing right now under their temporary names (<c>name.partial</c>), kept
/// in <c>&lt;state&gt;/partials/&lt;playbook&gt;/&lt;run id&gt;</c> from the moment an
/// <see cref="AtomicOutput"/> starts until it is committed or removed. A run killed in the middle
/// leaves its journal behind, and the next run of the playbook (holding the playbook's lock)
/// removes exactly the files the journal names: never a <c>.partial</c> of another playbook, nor
/// anything an operator put beside the backups.
/// </summary>
internal sealed class OutputJournal
{
    private const string Suffix = ".partial";

    private readonly Lock _gate = new();
    private readonly HashSet<string> _open = new(StringComparer.Ordinal);

    internal OutputJournal(string stateDirectory, string playbook, string runId)
    {
        Folder = FolderOf(stateDirectory, playbook);
        RunId = runId;
        FilePath = Path.Combine(Folder, runId);
    }

    public string Folder { get; }

    public string RunId { get; }

    public string FilePath { get; }

    /// <summary>Where the journals of one playbook's runs live.</summary>
    public static string FolderOf(string stateDirectory, string playbook) =>
        Path.Combine(stateDirectory, "partials", StateDirectory.FileNameOf(playbook));

    /// <summary>Records a temporary path before anything is written to it.</summary>
    internal void Started(string temporaryPath)
    {
        lock (_gate)
        {
            if (_open.Add(temporaryPath))
            {
                Write();
            }
        }
    }

    /// <summary>The temporary path is gone (renamed into place, or deleted).</summary>
    internal void Ended(string temporaryPath)
    {
        lock (_gate)
        {
            if (_open.Remove(temporaryPath))
            {
                Write();
            }
        }
    }

    /// <summary>
    /// At the end of the run: whatever is still listed (a step left behind after its timeout, a
    /// temporary file that could not be deleted) is removed now, and the journal with it.
    /// </summary>
    internal IReadOnlyList<string> Close()
    {
        lock (_gate)
        {
            var removed = new List<string>();
            foreach (var path in _open)
            {
                try
                {
                    removed.AddRange(Remove(path));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Left in the journal: the next run of the playbook tries again.
                    return removed;
                }
            }

            _open.Clear();
            DeleteJournal();
            return removed;
        }
    }

    /// <summary>
    /// Removes the debris of earlier runs of the playbook: every temporary path their journals
    /// name, then the journals. Call only while holding the playbook's lock (no other run of it
    /// is writing). Returns what was removed, and the journals that could not be read or cleaned.
    /// </summary>
    internal static (IReadOnlyList<string> Removed, IReadOnlyList<string> Problems) Sweep(string stateDirectory, string playbook, string currentRunId)
    {
        var folder = FolderOf(stateDirectory, playbook);
        var removed = new List<string>();
        var problems = new List<string>();
        if (!Directory.Exists(folder))
        {
            return (removed, problems);
        }

        foreach (var journal in Directory.EnumerateFiles(folder))
        {
            var name = Path.GetFileName(journal);
            if (name == currentRunId || name.EndsWith(Suffix, StringComparison.Ordinal))
            {
                continue;
            }

            try
            {
                foreach (var line in File.ReadAllLines(journal).Where(l => l.Length > 0))
                {
                    removed.AddRange(Remove(line));
                }

                File.Delete(journal);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{journal}: {ex.Message}");
            }
        }

        return (removed, problems);
    }

    private void Write()
    {
        if (_open.Count == 0)
        {
            DeleteJournal();
            return;
        }

        SecureFiles.WriteAllText(FilePath, string.Join('\n', _open) + "\n");
    }

    private void DeleteJournal()
    {
        if (File.Exists(FilePath))
        {
            File.Delete(FilePath);
        }
    }

    /// <summary>
    /// Deletes a temporary path and its companions (<c>name.partial.spool</c>), without following
    /// links. Only absolute paths ending in <c>.partial</c> are touched, whatever a journal says.
    /// </summary>
    private static List<string> Remove(string temporaryPath)
    {
        if (!Path.IsPathFullyQualified(temporaryPath) || !temporaryPath.EndsWith(Suffix, StringComparison.Ordinal)
            || Path.GetDirectoryName(temporaryPath) is not { } folder || !Directory.Exists(folder))
        {
            return [];
        }

        var name = Path.GetFileName(temporaryPath);
        var targets = Directory.EnumerateFileSystemEntries(folder)
            .Where(entry => Path.GetFileName(entry) is var entryName && (entryName == name || entryName.StartsWith(name + ".", StringComparison.Ordinal)))
            .ToList();
        foreach (var target in targets)
        {
            var info = new FileInfo(target);
            if (info.LinkTarget is null && info.Attributes.HasFlag(FileAttributes.Directory))
            {
                Directory.Delete(target, recursive: true);
            }
            else
            {
                File.Delete(target);
            }
        }

        return targets;
    }
}
