using System.IO.Enumeration;
using ExcelMedical.DbRunbook.Engine.Steps;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Files;

/// <summary>A file picked by a step's options; <see cref="Name"/> is its path relative to the folder option, or its file name.</summary>
internal sealed record SelectedFile(string Path, string Name, long Length);

/// <summary>
/// The files a step works on: those listed in <c>files</c>, and those in <c>folder</c> whose
/// names match <c>pattern</c>. Half-written files (*.partial), the log file this run is still
/// writing, links and excluded names are left out of folders, each with the reason.
/// </summary>
internal sealed class FileSelection
{
    private FileSelection(List<SelectedFile> files, List<string> missing, List<(string Name, string Reason)> skipped)
    {
        Files = files;
        Missing = missing;
        Skipped = skipped;
    }

    public IReadOnlyList<SelectedFile> Files { get; }

    /// <summary>Listed files that do not exist (yet).</summary>
    public IReadOnlyList<string> Missing { get; }

    public IReadOnlyList<(string Name, string Reason)> Skipped { get; }

    public static FileSelection Collect(
        StepContext context,
        IEnumerable<string> files,
        string? folder,
        string pattern,
        bool recursive,
        IReadOnlyCollection<string> exclude,
        params string[] alsoSkip)
    {
        var selected = new List<SelectedFile>();
        var missing = new List<string>();
        var skipped = new List<(string, string)>();
        foreach (var listed in files.Where(f => !string.IsNullOrWhiteSpace(f)))
        {
            var path = context.ResolvePath(listed);
            if (File.Exists(path))
            {
                selected.Add(new SelectedFile(path, System.IO.Path.GetFileName(path), new FileInfo(path).Length));
            }
            else
            {
                missing.Add(path);
            }
        }

        if (!string.IsNullOrWhiteSpace(folder))
        {
            var root = new DirectoryInfo(context.ResolvePath(folder));
            var skipPaths = new HashSet<string>(alsoSkip.Select(System.IO.Path.GetFullPath), StringComparer.Ordinal);
            if (context.Run.LogFile is { } log)
            {
                skipPaths.Add(System.IO.Path.GetFullPath(log));
            }

            if (root.Exists)
            {
                Walk(root, string.Empty, pattern, recursive, exclude, skipPaths, selected, skipped);
            }
        }

        return new FileSelection(selected, missing, skipped);
    }

    private static void Walk(
        DirectoryInfo folder,
        string relative,
        string pattern,
        bool recursive,
        IReadOnlyCollection<string> exclude,
        HashSet<string> skipPaths,
        List<SelectedFile> selected,
        List<(string, string)> skipped)
    {
        foreach (var entry in SafeTree.Entries(folder).OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var name = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
            if (SafeTree.IsLink(entry))
            {
                skipped.Add((name, "a symbolic link (not followed)"));
            }
            else if (entry is DirectoryInfo child)
            {
                if (recursive && !Excluded(name, child.Name, exclude))
                {
                    Walk(child, name, pattern, recursive, exclude, skipPaths, selected, skipped);
                }
            }
            else if (entry is FileInfo file && FileSystemName.MatchesSimpleExpression(pattern, file.Name, ignoreCase: false))
            {
                if (skipPaths.Contains(file.FullName))
                {
                    skipped.Add((name, "written by this run while it runs (the manifest, or the run's log)"));
                }
                else if (file.Name.EndsWith(".partial", StringComparison.Ordinal))
                {
                    skipped.Add((name, "a half-written file (*.partial)"));
                }
                else if (Excluded(name, file.Name, exclude))
                {
                    skipped.Add((name, "excluded"));
                }
                else
                {
                    selected.Add(new SelectedFile(file.FullName, name, file.Length));
                }
            }
        }
    }

    private static bool Excluded(string relative, string name, IReadOnlyCollection<string> exclude) =>
        exclude.Any(glob => FileSystemName.MatchesSimpleExpression(glob, relative, ignoreCase: false)
            || FileSystemName.MatchesSimpleExpression(glob, name, ignoreCase: false));
}
