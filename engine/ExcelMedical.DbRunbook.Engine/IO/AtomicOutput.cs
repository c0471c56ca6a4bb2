namespace ExcelMedical.DbRunbook.Engine.IO;

/// <summary>
/// A file or folder written under a temporary name next to its final one (<c>name.partial</c>,
/// owner-only) and renamed only when complete, so a half-written backup or report never carries
/// the final name. Disposing without <see cref="Commit"/> deletes the temporary. This is the one
/// implementation of temp-then-rename; steps reach it through <c>context.Files</c>.
/// </summary>
public sealed class AtomicOutput : IDisposable
{
    private readonly State.OutputJournal? _journal;
    private bool _committed;

    /// <param name="keepExisting">
    /// A backup is never replaced: with true, an existing file or folder at the final path is an
    /// error before anything is written (two runs within one second would share a name).
    /// </param>
    public AtomicOutput(string finalPath, bool keepExisting = false)
        : this(finalPath, keepExisting, journal: null)
    {
    }

    /// <param name="journal">Where a run records the temporary path while it exists, so the next run can remove it if this one is killed.</param>
    internal AtomicOutput(string finalPath, bool keepExisting, State.OutputJournal? journal)
    {
        FinalPath = Path.GetFullPath(finalPath);
        if (keepExisting && (File.Exists(FinalPath) || System.IO.Directory.Exists(FinalPath)))
        {
            throw new Steps.StepFailedException($"{FinalPath} already exists; a backup is never overwritten (did another run start within the same second?)");
        }

        TemporaryPath = FinalPath + ".partial";
        _journal = journal;
        var folder = Path.GetDirectoryName(FinalPath)!;
        SecureFiles.CreateDirectory(folder);
        DeleteTemporary();
        _journal?.Started(TemporaryPath);
    }

    public string FinalPath { get; }

    public string TemporaryPath { get; }

    public FileStream OpenFile() => SecureFiles.OpenWrite(TemporaryPath, FileMode.CreateNew, FileShare.None, bufferSize: 1 << 20);

    public void Commit()
    {
        if (System.IO.Directory.Exists(TemporaryPath))
        {
            if (System.IO.Directory.Exists(FinalPath))
            {
                System.IO.Directory.Delete(FinalPath, recursive: true);
            }

            System.IO.Directory.Move(TemporaryPath, FinalPath);
        }
        else
        {
            File.Move(TemporaryPath, FinalPath, overwrite: true);
        }

        _committed = true;
        _journal?.Ended(TemporaryPath);
    }

    public void Dispose()
    {
        if (!_committed)
        {
            DeleteTemporary();
            _journal?.Ended(TemporaryPath);
        }
    }

    private void DeleteTemporary()
    {
        if (File.Exists(TemporaryPath))
        {
            File.Delete(TemporaryPath);
        }
        else if (System.IO.Directory.Exists(TemporaryPath))
        {
            System.IO.Directory.Delete(TemporaryPath, recursive: true);
        }
    }
}
