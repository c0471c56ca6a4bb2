using System.Text.RegularExpressions;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;

/// <summary>
/// The relations a database-wide VACUUM or ANALYZE passes over because the user may not process
/// them. PostgreSQL says so once per relation (WARNING: skipping "pg_authid" --- only superuser
/// can vacuum it): about 50 lines for a user that owns the database but is not a superuser. They
/// are gathered here and said once, with a few names and what to do.
/// </summary>
internal sealed partial class SkippedRelations
{
    private const int NamesShown = 5;
    private readonly List<string> _names = [];

    public int Count
    {
        get
        {
            lock (_names)
            {
                return _names.Count;
            }
        }
    }

    /// <summary>True when the notice is such a "skipping" line (kept for the summary), false for any other notice.</summary>
    public bool Take(string notice)
    {
        var match = SkippingRegex().Match(notice);
        if (!match.Success)
        {
            return false;
        }

        lock (_names)
        {
            _names.Add(match.Groups["name"].Value);
        }

        return true;
    }

    /// <summary>One line for the log and the report, or null when nothing was skipped.</summary>
    public string? Summary(string user, string statement)
    {
        lock (_names)
        {
            if (_names.Count == 0)
            {
                return null;
            }

            // Tables first: their TOAST relations and indexes say less to a reader.
            var shown = string.Join(", ", _names.OrderBy(n => n.StartsWith("pg_toast", StringComparison.Ordinal)).Take(NamesShown)) + (_names.Count > NamesShown ? $" and {_names.Count - NamesShown} more" : string.Empty);
            return $"{statement} skipped {_names.Count} table(s) that {user} may not process (only a superuser or their owner may): {shown}; expected for the shared system catalogs when {user} owns the database but is not a superuser";
        }
    }

    [GeneratedRegex("^skipping \"(?<name>[^\"]+)\" --- ", RegexOptions.CultureInvariant)]
    private static partial Regex SkippingRegex();
}
