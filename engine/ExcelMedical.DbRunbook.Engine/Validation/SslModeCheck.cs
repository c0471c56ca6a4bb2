using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Templating;

namespace ExcelMedical.DbRunbook.Engine.Validation;

/// <summary>
/// A connection's literal <c>sslmode</c> is one of libpq's: a misspelt mode must not quietly
/// become "no verification" (templated values are checked when the run renders them).
/// </summary>
internal static class SslModeCheck
{
    public static void Check(ConnectionDefinition connection, DiagnosticBag diagnostics)
    {
        if (connection.Fields.Find("sslmode")?.Value is ScalarNode { Value: { } mode } node && !TemplateEngine.IsTemplate(mode)
            && !PostgresSslModes.All.Contains(mode.Trim(), StringComparer.Ordinal))
        {
            diagnostics.Add(node.Location, $"'sslmode' of connection '{connection.Name}' must be one of {string.Join(", ", PostgresSslModes.All)} (libpq's names), not '{mode}'");
        }
    }
}
