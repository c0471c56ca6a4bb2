using ExcelMedical.DbRunbook.Engine.IO;

namespace ExcelMedical.DbRunbook.Steps.Files;

/// <summary>
/// A file or folder written under a temporary name next to its final one and renamed only when
/// complete, so a half-written backup never carries a backup's name. Disposing without
/// <see cref="Commit"/> deletes the temporary.
/// </summary>
public sealed class AtomicOutput : IDisposable
{
    private bool _committed;

    public AtomicOutput(string finalPath)
    {
        FinalPath = Path.GetFullPath(finalPath);
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
