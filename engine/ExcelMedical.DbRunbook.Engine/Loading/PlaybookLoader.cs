using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Engine.Templating;
using ExcelMedical.DbRunbook.Engine.Validation;

namespace ExcelMedical.DbRunbook.Engine.Loading;

/// <summary>
/// Loads and statically validates playbooks: the gate nothing passes with a problem. Each file is
/// read and checked within <see cref="LoadLimits"/> on a thread of its own (<see cref="IsolatedLoad"/>).
/// </summary>
/// <param name="environment">The environment validation sees (for the env_file and unset variables); the process's by default.</param>
internal sealed class PlaybookLoader(StepCatalog catalog, TemplateEngine templates, IReadOnlyDictionary<string, string>? environment = null, LoadLimits? limits = null)
{
    public LoadLimits Limits { get; } = limits ?? LoadLimits.Default;

    public Playbook? Load(string path, DiagnosticBag diagnostics) =>
        IsolatedLoad.Run(path, Limits, diagnostics, (budget, own) =>
            BoundedTextFile.TryRead(path, Limits.MaxPlaybookBytes, "the playbook", own) is { } text ? Check(text, path, own, budget) : null);

    /// <summary>Loads text already read (within the limits) from <paramref name="path"/>.</summary>
    public Playbook? LoadText(string text, string path, DiagnosticBag diagnostics) =>
        IsolatedLoad.Run(path, Limits, diagnostics, (budget, own) => Check(text, path, own, budget));

    /// <summary>Reads a playbook file within the limits: a regular file, not too large, valid UTF-8.</summary>
    public string? ReadText(string path, DiagnosticBag diagnostics) =>
        BoundedTextFile.TryRead(path, Limits.MaxPlaybookBytes, "the playbook", diagnostics);

    private Playbook? Check(string text, string path, DiagnosticBag diagnostics, LoadBudget budget)
    {
        var playbook = PlaybookReader.Parse(text, path, diagnostics, budget);
        if (playbook is not null)
        {
            new PlaybookValidator(catalog, templates, environment ?? Execution.RunbookHost.ProcessEnvironment(), budget).Validate(playbook, diagnostics);
        }

        return diagnostics.HasErrors ? null : playbook;
    }

    /// <summary>The playbook files named: files as given, folders searched for *.yaml and *.yml (not recursively).</summary>
    public static IReadOnlyList<string> ExpandPaths(IEnumerable<string> paths, DiagnosticBag diagnostics)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.GetFiles(path, "*.yaml").Concat(Directory.GetFiles(path, "*.yml")).Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                diagnostics.Add(SourceLocation.Unknown(path), "no such file or folder");
            }
        }

        return files;
    }
}
