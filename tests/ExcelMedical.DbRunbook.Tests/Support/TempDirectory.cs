namespace ExcelMedical.DbRunbook.Tests.Support;

/// <summary>A folder under /tmp that disappears with the test.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("runbook-test-").FullName;
    }

    public string Path { get; }

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public string Write(string relative, string contents)
    {
        var path = this[relative];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, contents);
        return path;
    }

    /// <summary>Writes a script (e.g. a wrapper standing in for pg_dump) and makes it executable.</summary>
    public string WriteExecutable(string relative, string contents)
    {
        var path = Write(relative, contents);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>Every file and folder under the directory with size and time, to prove nothing changed.</summary>
    public IReadOnlyList<string> Snapshot() =>
        [.. Directory.EnumerateFileSystemEntries(Path, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(p => File.Exists(p) ? $"{p} {new FileInfo(p).Length} {File.GetLastWriteTimeUtc(p):O}" : p)];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
