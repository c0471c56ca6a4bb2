using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.IO;
using ExcelMedical.DbRunbook.Engine.Loading;
using ExcelMedical.DbRunbook.Engine.Model;

namespace ExcelMedical.DbRunbook.Engine.Validation;

/// <summary>
/// The playbook's <c>env_file</c> as a run will read it: its mistakes at its own lines, a missing
/// file named in a warning (a run then has only the process environment), and the environment
/// validation sees (the file's values under the real environment, which wins as in a run).
/// </summary>
internal static class EnvFileCheck
{
    public static IReadOnlyDictionary<string, string> Check(Playbook playbook, IReadOnlyDictionary<string, string> environment, LoadLimits limits, DiagnosticBag diagnostics)
    {
        if (playbook.EnvFile is not { } envFile)
        {
            return environment;
        }

        var path = Resolve(playbook, envFile.Value);
        if (FileKinds.Of(path) == FileKind.Missing)
        {
            diagnostics.AddWarning(envFile.Location, $"the env_file {path} does not exist; a run reads only the process environment");
            return environment;
        }

        var problems = new DiagnosticBag();
        var values = DotEnvFile.Read(path, problems, limits.MaxEnvFileBytes);
        foreach (var problem in problems.Sorted())
        {
            // A file that cannot be read at all is the playbook's line's problem; a bad line is the env file's.
            diagnostics.Add(problem.Location.Line > 0 ? problem : problem with { Location = envFile.Location, Message = $"env_file {path}: {problem.Message}" });
        }

        var merged = new Dictionary<string, string>(values ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (name, value) in environment)
        {
            merged[name] = value;
        }

        return merged;
    }

    /// <summary>Relative env_file paths resolve against the playbook's folder.</summary>
    public static string Resolve(Playbook playbook, string envFile) => Path.GetFullPath(Path.Combine(playbook.Directory, envFile));
}
