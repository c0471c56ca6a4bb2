namespace ExcelMedical.DbRunbook.Tests.Support;

/// <summary>The checkout the tests run from (the folder holding the .sln).</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    public static string File(string relative) => System.IO.Path.Combine(Path, relative);

    private static string Find()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !System.IO.File.Exists(System.IO.Path.Combine(folder.FullName, "ExcelMedical.DbRunbook.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("cannot find ExcelMedical.DbRunbook.sln above " + AppContext.BaseDirectory);
    }
}
