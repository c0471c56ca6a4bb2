namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;

/// <summary>
/// The table of contents <c>pg_restore -l</c> prints: header lines start with ';', each entry is
/// <c>dumpId; tableoid oid DESC schema tag owner</c>. TABLE DATA entries say which tables' rows
/// the archive holds.
/// </summary>
internal sealed record ArchiveListing(IReadOnlyList<string> Header, int Entries, IReadOnlyList<string> TableData)
{
    private const string TableDataMarker = " TABLE DATA ";

    public static ArchiveListing Parse(string listing)
    {
        var header = new List<string>();
        var entries = 0;
        var tableData = new List<string>();
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
            var marker = line.IndexOf(TableDataMarker, StringComparison.Ordinal);
            if (marker >= 0)
            {
                var parts = line[(marker + TableDataMarker.Length)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2)
                {
                    tableData.Add(parts[0] + "." + parts[1]);
                }
            }
        }

        return new ArchiveListing(header, entries, tableData);
    }
}
