using ExcelMedical.DbRunbook.Engine.Secrets;

namespace ExcelMedical.DbRunbook.Engine.IO;

/// <summary>
/// How a step creates files (<c>context.Files</c>): every file owner-only (0600, folders 0700),
/// written under a temporary name and renamed when complete, and text masked before it is
/// written. Steps never create files any other way.
/// </summary>
// Members that need no masker are still instance members: steps reach all of them the same way, context.Files.
#pragma warning disable CA1822
public sealed class StepFiles
{
    private readonly SecretMasker _masker;
    private readonly State.OutputJournal? _journal;

    /// <param name="journal">The run's in-flight outputs (null in a dry run): debris of a killed run is found through it.</param>
    internal StepFiles(SecretMasker masker, State.OutputJournal? journal = null)
    {
        _masker = masker;
        _journal = journal;
    }

    /// <summary>Creates the folder (and missing parents) 0700 and returns its full path.</summary>
    public string Folder(string path)
    {
        SecureFiles.CreateDirectory(path);
        return Path.GetFullPath(path);
    }

    /// <summary>
    /// A new file (or a folder another program fills) written under <c>path.partial</c> and renamed
    /// on <see cref="AtomicOutput.Commit"/>. With <paramref name="keepExisting"/>, an existing file at
    /// <paramref name="path"/> is an error instead of being replaced (backups are never overwritten).
    /// </summary>
    public AtomicOutput Create(string path, bool keepExisting = false) => new(path, keepExisting, _journal);

    /// <summary>Writes a text file (a report, a verification file) with secrets masked, atomically, 0600.</summary>
    public void WriteText(string path, string text) => SecureFiles.WriteAllText(path, _masker.Apply(text), mode: null, _journal);

    /// <summary>Writes a JSON file (kept state) with every string masked before it is encoded, atomically, 0600.</summary>
    public void WriteJson<T>(string path, T value, System.Text.Json.JsonSerializerOptions options) =>
        SecureFiles.WriteAllText(path, _masker.Serialize(value, options), mode: null, _journal);

    /// <summary>
    /// Like <see cref="WriteText"/>, for the rare file another service account must read (the
    /// Prometheus textfile node_exporter collects): world-readable, never secret.
    /// </summary>
    public void WritePublicText(string path, string text) =>
        SecureFiles.WriteAllText(path, _masker.Apply(text), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, _journal);

    /// <summary>Opens a file to append lines to (a CSV history), created 0600; each append is small and whole.</summary>
    public FileStream Append(string path) => SecureFiles.OpenWrite(path, FileMode.Append);
}
#pragma warning restore CA1822
