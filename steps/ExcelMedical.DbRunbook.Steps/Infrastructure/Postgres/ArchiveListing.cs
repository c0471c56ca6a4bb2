namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;

/// <summary>
/// The table of contents <c>pg_restore -l</c> prints: header lines start with ';', each entry is
/// <c>dumpId; tableoid oid DESC schema tag owner</c>. Only the number of TABLE DATA entries is
/// taken from it: the listing prints names unquoted, with newlines turned into spaces, so a name
/// holding a space or a newline cannot be read back from it. Which tables have data, and how many
/// rows, comes from the COPY statements of the data itself (<see cref="CopyRowCounter"/>).
/// </summary>
internal sealed record ArchiveListing(IReadOnlyList<string> Header, int Entries, int TableDataEntries)
{
    private const string TableDataMarker = " TABLE DATA ";

    public static ArchiveListing Parse(string listing)
    {
        var header = new List<string>();
        var entries = 0;
        var tableData = 0;
        foreach (var raw in listing.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith(';'))
            {
                var text = line.TrimStart(';').Trim();
                if (text.Length > 0 && entries == 0)
                {
                    header.Add(text);
                }

                continue;
            }

            if (line.Length == 0)
            {
                continue;
            }

            entries++;
            if (line.Contains(TableDataMarker, StringComparison.Ordinal))
            {
                tableData++;
            }
        }

        return new ArchiveListing(header, entries, tableData);
    }
}
