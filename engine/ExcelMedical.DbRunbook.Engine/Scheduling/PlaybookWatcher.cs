using System.Security.Cryptography;
using System.Text;
using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Loading;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Engine.Templating;
using ExcelMedical.DbRunbook.Engine.Validation;

namespace ExcelMedical.DbRunbook.Engine.Scheduling;

/// <summary>
/// Watches the playbook files named on the command line by polling: a folder's *.yaml and *.yml,
/// each file's size and modification time, and its content hash when those move. Polling is
/// driven by the scheduler's clock, costs a few stat calls, and behaves the same on every file
/// system (inotify misses edits on network mounts and through some editors' rename dance).
/// </summary>
internal sealed class PlaybookWatcher(IReadOnlyList<string> paths, StepCatalog steps, TemplateEngine templates)
{
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

        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var unreadable = new DiagnosticBag();
            unreadable.Add(SourceLocation.Unknown(file), $"cannot read the playbook: {ex.Message}");
            _seen[file] = new Seen(stamp, string.Empty);
            return new PlaybookChange(file, PlaybookChangeKind.Rejected, null, unreadable);
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        _seen[file] = new Seen(stamp, hash);
        if (seen is not null && seen.Hash == hash)
        {
            return null;
        }

        var diagnostics = new DiagnosticBag();
        var playbook = PlaybookReader.Parse(text, file, diagnostics);
        if (playbook is not null)
        {
            new PlaybookValidator(steps, templates).Validate(playbook, diagnostics);
        }

        return diagnostics.HasErrors || playbook is null
            ? new PlaybookChange(file, PlaybookChangeKind.Rejected, null, diagnostics)
            : new PlaybookChange(file, PlaybookChangeKind.Loaded, playbook, null);
    }

    private sealed record Seen((DateTime Modified, long Length) Stamp, string Hash);
}

internal enum PlaybookChangeKind
{
    Loaded,
    Rejected,
    Removed,
}

/// <summary>One file's news: a valid playbook, its problems (file:line:col), or its disappearance.</summary>
internal sealed record PlaybookChange(string File, PlaybookChangeKind Kind, Playbook? Playbook, DiagnosticBag? Problems);
