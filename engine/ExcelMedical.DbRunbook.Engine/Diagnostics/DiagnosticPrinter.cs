using ExcelMedical.DbRunbook.Engine.Secrets;

namespace ExcelMedical.DbRunbook.Engine.Diagnostics;

/// <summary>Prints problems one per line as <c>file:line:col: message</c>, the form editors and CI understand.</summary>
internal static class DiagnosticPrinter
{
    public static void Print(DiagnosticBag diagnostics, TextWriter output, SecretMasker? masker = null)
    {
        foreach (var diagnostic in diagnostics.Sorted())
        {
            var line = $"{Relative(diagnostic.Location.File)}{(diagnostic.Location.Line > 0 ? $":{diagnostic.Location.Line}:{diagnostic.Location.Column}" : string.Empty)}: {(diagnostic.IsWarning ? "warning: " : string.Empty)}{diagnostic.Message}";
            output.WriteLine(masker?.Apply(line) ?? line);
        }

        if (diagnostics.Truncated)
        {
            output.WriteLine($"(stopped after {diagnostics.Count + diagnostics.WarningCount} problems; fix these and run again to see more)");
        }
    }

    /// <summary>Paths under the current folder are shown relative, as the operator typed them.</summary>
    private static string Relative(string path)
    {
        var full = Path.GetFullPath(path);
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), full);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }
}
