using System.Globalization;
using System.Text;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;

/// <summary>
/// Names of tables and schemas as logs, reports and messages print them. PostgreSQL allows any
/// character in a quoted name, a newline included; written raw, such a name would split a log
/// line in two (and could forge the next one). Control characters and line separators are
/// therefore shown escaped (\n, \r, \t, \u0007); every other name is printed as it is.
/// </summary>
internal static class NameText
{
    public static string Printable(string name)
    {
        if (!name.Any(NeedsEscape))
        {
            return name;
        }

        var text = new StringBuilder(name.Length + 8);
        foreach (var c in name)
        {
            text.Append(c switch
            {
                '\n' => @"\n",
                '\r' => @"\r",
                '\t' => @"\t",
                _ when NeedsEscape(c) => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return text.ToString();
    }

    private static bool NeedsEscape(char c) => char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085';
}
