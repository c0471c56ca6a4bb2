using ExcelMedical.DbRunbook.Engine.IO;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Files;

/// <summary>
/// A file or folder written under a temporary name next to its final one and renamed only when
/// complete, so a half-written backup never carries a backup's name. Disposing without
/// <see cref="Commit"/> deletes the temporary.
/// </summary>
internal sealed class AtomicOutput : IDisposable
{
    private bool _committed;

    /// <param name="keepExisting">
    /// A backup is never replaced: with true, an existing file or folder at the final path is an
    /// error before anything is written (two runs within one second would share a name).
    /// </param>
    public AtomicOutput(string finalPath, bool keepExisting = false)
    {
        FinalPath = Path.GetFullPath(finalPath);
        if (keepExisting && (File.Exists(FinalPath) || System.IO.Directory.Exists(FinalPath)))
        {
            throw new Engine.Steps.StepFailedException($"{FinalPath} already exists; a backup is never overwritten (did another run start within the same second?)");
        }

        TemporaryPath = FinalPath + ".partial";
        var folder = Path.GetDirectoryName(FinalPath)!;
        SecureFiles.CreateDirectory(folder);
        DeleteTemporary();
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
    }

    public void Dispose()
    {
        if (!_committed)
        {
            DeleteTemporary();
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
