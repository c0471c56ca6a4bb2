namespace ExcelMedical.DbRunbook.Testing.Support;

/// <summary>
/// The checkout the tests run from, found by walking up from the test assembly to the folder
/// holding the solution file, so fixtures can use repository files (tools/, samples/).
/// </summary>
public static class RepositoryRoot
{
    private const string SolutionFile = "ExcelMedical.DbRunbook.sln";

    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, SolutionFile)))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException(
            $"could not find {SolutionFile} in {AppContext.BaseDirectory} or any parent folder: run the tests from a checkout of the repository");
    }
}
