using ExcelMedical.DbRunbook.Engine.Diagnostics;

namespace ExcelMedical.DbRunbook.Engine.Options;

internal sealed record BindResult(object Options, IReadOnlyList<Diagnostic> Diagnostics, IReadOnlyList<string> Secrets)
{
    public bool Succeeded => Diagnostics.Count == 0;
}
