using System.Globalization;
using System.Text.RegularExpressions;
using ExcelMedical.DbRunbook.Engine.Processes;
using ExcelMedical.DbRunbook.Engine.Steps;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;

/// <summary>
/// Finds pg_dump / pg_restore: an explicit path, else PATH, else the newest Debian install under
/// /usr/lib/postgresql/N/bin (where postgresql-client puts them without touching PATH).
/// </summary>
internal static partial class PostgresTools
{
    private const string DebianRoot = "/usr/lib/postgresql";

    public static string Locate(string tool, string? configuredPath, IReadOnlyDictionary<string, string> environment)
    {
        if (!string.IsNullOrEmpty(configuredPath))
        {
            return File.Exists(configuredPath)
                ? configuredPath
                : throw new StepFailedException($"{tool} not found at {configuredPath} (the step's path option)");
        }

        return ChildProcess.Locate(tool, environment)
            ?? NewestDebianInstall(tool)
            ?? throw new StepFailedException($"{tool} is not installed: install the PostgreSQL client (Debian: apt-get install postgresql-client) or set the step's path option");
    }

    /// <summary>The major version a tool reports, e.g. 15 for "pg_dump (PostgreSQL) 15.14 (Debian ...)".</summary>
    public static async Task<int> MajorVersionAsync(string program, CancellationToken cancellationToken)
    {
        var result = await ChildProcess.RunAsync(new ProcessSpec(program, ["--version"]), cancellationToken);
        var match = VersionPattern().Match(result.Output);
        return result.ExitCode == 0 && match.Success
            ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new StepFailedException($"cannot tell the version of {program}: '{result.Output.Trim()}{result.Error.Trim()}'");
    }

    private static string? NewestDebianInstall(string tool)
    {
        if (!Directory.Exists(DebianRoot))
        {
            return null;
        }

        return Directory.GetDirectories(DebianRoot)
            .Select(folder => (Version: int.TryParse(Path.GetFileName(folder), CultureInfo.InvariantCulture, out var v) ? v : -1, Path: Path.Combine(folder, "bin", tool)))
            .Where(candidate => candidate.Version > 0 && File.Exists(candidate.Path))
            .OrderByDescending(candidate => candidate.Version)
            .Select(candidate => candidate.Path)
            .FirstOrDefault();
    }

    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+)")]
    private static partial Regex VersionPattern();
}
