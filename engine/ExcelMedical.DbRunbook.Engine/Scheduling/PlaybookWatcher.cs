using System.Security.Cryptography;
using System.Text;
using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Loading;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Engine.Templating;

namespace ExcelMedical.DbRunbook.Engine.Scheduling;

/// <summary>
/// Watches the playbook files named on the command line by polling: a folder's *.yaml and *.yml,
/// each file's size and modification time, and its content hash when those move. Polling is
/// driven by the scheduler's clock, costs a few stat calls, and behaves the same on every file
/// system (inotify misses edits on network mounts and through some editors' rename dance).
/// Each file is read and checked within <see cref="LoadLimits"/> (a regular file, bounded size,
/// time and memory, on a thread of its own), so a hostile file is reported and skipped while the
/// others keep their schedule.
/// </summary>
internal sealed class PlaybookWatcher(IReadOnlyList<string> paths, StepCatalog steps, TemplateEngine templates, IReadOnlyDictionary<string, string>? environment = null, LoadLimits? limits = null)
{
    private readonly PlaybookLoader _loader = new(steps, templates, environment, limits);

    private readonly Dictionary<string, Seen> _seen = new(StringComparer.Ordinal);

    /// <summary>The playbook files found by the last poll.</summary>
    public int FileCount => _seen.Count;

    /// <summary>What changed since the last poll (everything, the first time).</summary>
    public IReadOnlyList<PlaybookChange> Poll()
    {
        var changes = new List<PlaybookChange>();
        var files = PlaybookLoader.ExpandPaths(paths, new DiagnosticBag()).Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).ToList();
        foreach (var gone in _seen.Keys.Except(files, StringComparer.Ordinal).ToList())
        {
            _seen.Remove(gone);
            changes.Add(new PlaybookChange(gone, PlaybookChangeKind.Removed, null, null));
        }

        foreach (var file in files)
        {
            if (Check(file) is { } change)
            {
                changes.Add(change);
            }
        }

        return changes;
    }

    private PlaybookChange? Check(string file)
    {
        FileInfo info;
        try
        {
            info = new FileInfo(file);
            if (!info.Exists)
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var stamp = (info.LastWriteTimeUtc, info.Length);
        _seen.TryGetValue(file, out var seen);
        if (seen is not null && seen.Stamp == stamp)
        {
            return null;
        }

        var diagnostics = new DiagnosticBag();
        var text = _loader.ReadText(file, diagnostics);
        if (text is null)
        {
            _seen[file] = new Seen(stamp, string.Empty);
            return new PlaybookChange(file, PlaybookChangeKind.Rejected, null, diagnostics);
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        _seen[file] = new Seen(stamp, hash);
        if (seen is not null && seen.Hash == hash)
        {
            return null;
        }

        var playbook = _loader.LoadText(text, file, diagnostics);
        return playbook is null
            ? new PlaybookChange(file, PlaybookChangeKind.Rejected, null, diagnostics)
            : new PlaybookChange(file, PlaybookChangeKind.Loaded, playbook, diagnostics.WarningCount > 0 ? diagnostics : null);
    }

    private sealed record Seen((DateTime Modified, long Length) Stamp, string Hash);
}

internal enum PlaybookChangeKind
{
    Loaded,
    Rejected,
    Removed,
}

/// <summary>One file's news: a valid playbook (with its warnings, if any), its problems (file:line:col), or its disappearance.</summary>
internal sealed record PlaybookChange(string File, PlaybookChangeKind Kind, Playbook? Playbook, DiagnosticBag? Problems);
