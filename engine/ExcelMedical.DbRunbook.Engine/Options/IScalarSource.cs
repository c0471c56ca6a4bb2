using ExcelMedical.DbRunbook.Engine.Model;

namespace ExcelMedical.DbRunbook.Engine.Options;

/// <summary>
/// Gives the binder the text of a scalar: rendered at run time, or, during static validation,
/// "not known yet" for templates so only literal values are type-checked.
/// </summary>
internal interface IScalarSource
{
    /// <summary>Returns false when the value cannot be known before the run (a template, statically).</summary>
    bool TryResolve(ScalarNode node, out string? text);
}
