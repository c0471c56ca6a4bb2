using ExcelMedical.DbRunbook.Testing.Support;

namespace ExcelMedical.DbRunbook.Testing.S3;

/// <summary>
/// Where node and the s3rver package are. s3rver comes from the repository's tools/ package
/// (npm ci --prefix tools); the fixture runs it through its own host script (s3rver-host.js).
/// </summary>
internal sealed record S3rverInstallation(string Node, string Package)
{
    private const string InstallHint = "run `npm ci --prefix tools` in the repository root (needs node and npm)";

    public static S3rverInstallation Locate()
    {
        var package = RepositoryRoot.Combine("tools", "node_modules", "s3rver");
        if (!File.Exists(Path.Combine(package, "package.json")))
        {
            throw new InvalidOperationException($"s3rver is not installed ({package} is missing): {InstallHint}");
        }

        var node = FindOnPath("node")
            ?? throw new InvalidOperationException($"node is not on PATH, so s3rver cannot run: install Node.js 18 or later, then {InstallHint}");
        return new S3rverInstallation(node, package);
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
}
