using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Engine.Templating;
using ExcelMedical.DbRunbook.Engine.Validation;

namespace ExcelMedical.DbRunbook.Engine.Loading;

/// <summary>Loads and statically validates playbooks: the gate nothing passes with a problem.</summary>
internal sealed class PlaybookLoader(StepCatalog catalog, TemplateEngine templates)
{
    public Playbook? Load(string path, DiagnosticBag diagnostics)
    {
        var playbook = PlaybookReader.Load(path, diagnostics);
        if (playbook is not null)
        {
            new PlaybookValidator(catalog, templates).Validate(playbook, diagnostics);
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
