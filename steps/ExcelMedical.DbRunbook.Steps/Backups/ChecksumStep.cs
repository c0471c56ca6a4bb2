using System.Text;
using ExcelMedical.DbRunbook.Engine.IO;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Files;

namespace ExcelMedical.DbRunbook.Steps.Backups;

/// <summary>
/// Writes a SHA-256 manifest that <c>sha256sum -c SHA256SUMS</c> checks from the manifest's
/// folder, and keeps every file's hash in the run record so a copy anywhere can be checked later.
/// </summary>
[Step("checksum", "Write a SHA-256 manifest (sha256sum -c format) of files or of a folder, and record each file's hash")]
public sealed class ChecksumStep : Step<ChecksumOptions>
{
    public override Task<StepPlan> PlanAsync(StepContext context, ChecksumOptions options, CancellationToken cancellationToken)
    {
        var manifest = ManifestPath(context, options);
        var selection = Select(context, options, manifest);
        var actions = new List<string>();
        if (options.Folder is { Length: > 0 } folder)
        {
            var path = context.ResolvePath(folder);
            actions.Add(Directory.Exists(path)
                ? $"hash the files of {path} matching '{options.Pattern}'{(options.Recursive ? " (with subfolders)" : string.Empty)}: {selection.Files.Count} there now; files earlier steps write are included at run time"
                : $"hash the files of {path} matching '{options.Pattern}' (the folder does not exist yet)");
        }

        foreach (var file in selection.Files)
        {
            actions.Add($"hash {file.Path} ({ByteSize.Format(file.Length)})");
        }

        foreach (var missing in selection.Missing)
        {
            actions.Add($"hash {missing} (not there yet: the run fails unless an earlier step writes it)");
        }

        foreach (var (name, reason) in selection.Skipped)
        {
            actions.Add($"leave out {name} ({reason})");
        }

        actions.Add($"write {manifest} (check with: cd {Path.GetDirectoryName(manifest)} && sha256sum -c {Path.GetFileName(manifest)})");
        return Task.FromResult(StepPlan.Of(new StepOutputs().Add("manifest", manifest), [.. actions]));
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, ChecksumOptions options, CancellationToken cancellationToken)
    {
        var manifest = ManifestPath(context, options);
        if (options.Folder is { Length: > 0 } folder && !Directory.Exists(context.ResolvePath(folder)))
        {
            throw new StepFailedException($"the folder {context.ResolvePath(folder)} does not exist; check the folder option");
        }

        var selection = Select(context, options, manifest);
        if (selection.Missing.Count > 0)
        {
            throw new StepFailedException($"cannot checksum files that do not exist: {string.Join(", ", selection.Missing)}");
        }

        if (selection.Files.Count == 0)
        {
            throw new StepFailedException($"no files to checksum in {context.ResolvePath(options.Folder!)} matching '{options.Pattern}'; an empty manifest would prove nothing");
        }

        var manifestFolder = Path.GetDirectoryName(manifest)!;
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        long bytes = 0;
        foreach (var file in selection.Files.DistinctBy(f => f.Path, StringComparer.Ordinal))
        {
            var name = ManifestName(manifestFolder, file.Path);
            if (hashes.ContainsKey(name))
            {
                continue;
            }

            hashes[name] = await Sha256Manifest.HashFileAsync(file.Path, cancellationToken);
            bytes += file.Length;
            context.Log.Debug("  {Hash}  {Name}", hashes[name], name);
        }

        using (var output = context.Files.Create(manifest))
        {
            await using (var stream = output.OpenFile())
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(Sha256Manifest.Render(hashes)), cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            output.Commit();
        }

        context.Log.Information("  wrote {Manifest}: SHA-256 of {Count} file(s), {Bytes}", manifest, hashes.Count, ByteSize.Format(bytes));
        return new StepOutputs()
            .Add("manifest", manifest)
            .Add("count", hashes.Count)
            .Add("bytes", bytes)
            .Add("files", hashes.ToDictionary(entry => entry.Key, entry => (object?)entry.Value, StringComparer.Ordinal));
    }

    private static FileSelection Select(StepContext context, ChecksumOptions options, string manifest) =>
        FileSelection.Collect(context, options.Files, options.Folder, options.Pattern, options.Recursive, options.Exclude, manifest);

    private static string ManifestPath(StepContext context, ChecksumOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Manifest))
        {
            return context.ResolvePath(options.Manifest);
        }

        if (!string.IsNullOrWhiteSpace(options.Folder))
        {
            return Path.Combine(context.ResolvePath(options.Folder), Sha256Manifest.DefaultName);
        }

        var folders = options.Files.Select(f => Path.GetDirectoryName(context.ResolvePath(f))!).Distinct(StringComparer.Ordinal).ToList();
        return folders.Count == 1
            ? Path.Combine(folders[0], Sha256Manifest.DefaultName)
            : throw new StepFailedException($"the files are in {folders.Count} different folders ({string.Join(", ", folders)}); set manifest to say where the manifest goes");
    }

    /// <summary>The name sha256sum -c opens, relative to the manifest's folder.</summary>
    private static string ManifestName(string manifestFolder, string file)
    {
        var relative = Path.GetRelativePath(manifestFolder, file);
        if (Path.IsPathRooted(relative) || relative == ".." || relative.StartsWith("../", StringComparison.Ordinal))
        {
            throw new StepFailedException($"{file} is outside {manifestFolder}, the manifest's folder; a manifest lists only files beside or below it (move the manifest or the file)");
        }

        return relative.Replace(Path.DirectorySeparatorChar, '/');
    }
}
