using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Templating;

namespace ExcelMedical.DbRunbook.Engine.Validation;

/// <summary>What can be known of a connection before the run: a literal port is a TCP port.</summary>
internal static class ConnectionCheck
{
    public static void Check(ConnectionDefinition connection, DiagnosticBag diagnostics)
    {
        if (connection.Fields.Find("port")?.Value is ScalarNode { Value: { } port } node && !TemplateEngine.IsTemplate(port)
            && !(int.TryParse(port.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 65535))
        {
            diagnostics.Add(node.Location, $"'port' of connection '{connection.Name}' must be a TCP port from 1 to 65535, not '{port}'");
        }
    }
}
