using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Restore;

/// <summary>One table or collection of a drill: what the backup recorded, what came back, and the verdict.</summary>
internal sealed record DrillVerdict(string Kind, string Name, string Recorded, string Restored, string Verdict, string? Difference)
{
    public bool Ok => Difference is null;
}

/// <summary>The comparisons a drill makes between a restored copy and the backup run's figures.</summary>
internal static class DrillVerdicts
{
    /// <summary>
    /// Every table the backup recorded and every table restored: rows against the rows counted in the
    /// dump, content checksums against those taken in the dump's snapshot (when it recorded them).
    /// </summary>
    public static List<DrillVerdict> Tables(PostgresFigures recorded, IReadOnlyList<TableFigures> restored)
    {
        var byName = restored.ToDictionary(f => f.Table, StringComparer.Ordinal);
        var verdicts = new List<DrillVerdict>();
        foreach (var table in recorded.Tables.Union(byName.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var shown = NameText.Printable(table);
            var rows = recorded.RowsOf(table);
            var checksum = recorded.Checksums?.GetValueOrDefault(table);
            var recordedText = rows is null ? "(not recorded)" : checksum is null ? $"{rows} rows" : $"{rows} rows, checksum {Short(checksum)}";
            if (!byName.TryGetValue(table, out var figures))
            {
                verdicts.Add(new DrillVerdict("table", table, recordedText, "(missing)", "MISSING", $"table {shown} was recorded at backup ({rows} rows) but is not in the restored database"));
                continue;
            }

            var restoredText = figures.Checksum is null ? $"{figures.Rows} rows" : $"{figures.Rows} rows, checksum {Short(figures.Checksum)}";
            if (rows is null)
            {
                verdicts.Add(new DrillVerdict("table", table, recordedText, restoredText, "NOT RECORDED", $"table {shown} was restored ({figures.Rows} rows) but the backup run recorded no figures for it"));
            }
            else if (rows != figures.Rows)
            {
                verdicts.Add(new DrillVerdict("table", table, recordedText, restoredText, "ROWS DIFFER", $"table {shown}: {rows} rows recorded at backup, {figures.Rows} restored"));
            }
            else if (checksum is not null && figures.Checksum is not null && !string.Equals(checksum, figures.Checksum, StringComparison.Ordinal))
            {
                verdicts.Add(new DrillVerdict("table", table, recordedText, restoredText, "CONTENT DIFFERS", $"table {shown}: content checksum {checksum} recorded at backup, {figures.Checksum} restored"));
            }
            else if (checksum is not null && figures.Checksum is not null && recorded.DumpRows is not null && recorded.DumpRows.TryGetValue(table, out var counted) && checksum.Split(':')[0] != counted.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                verdicts.Add(new DrillVerdict("table", table, recordedText, restoredText, "RECORDS DISAGREE", $"table {shown}: the dump's snapshot recorded {checksum.Split(':')[0]} rows, its verification counted {counted}"));
            }
            else
            {
                verdicts.Add(new DrillVerdict("table", table, recordedText, restoredText, checksum is null ? "OK (rows)" : "OK", null));
            }
        }

        return verdicts;
    }

    /// <summary>Every collection: documents against the dump's and the verification's counts, indexes against the archive's metadata.</summary>
    public static List<DrillVerdict> Collections(
        MongoFigures recorded,
        IReadOnlyDictionary<string, long> restored,
        IReadOnlyDictionary<string, IReadOnlyList<string>> expectedIndexes,
        IReadOnlyDictionary<string, IReadOnlyList<string>> restoredIndexes)
    {
        var verdicts = new List<DrillVerdict>();
        var dumped = recorded.Dumped ?? new Dictionary<string, long>();
        var names = dumped.Keys.Union(recorded.Verified?.Keys ?? [], StringComparer.Ordinal).Union(restored.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var name in names)
        {
            long? documents = dumped.TryGetValue(name, out var d) ? d : recorded.Verified?.GetValueOrDefault(name);
            var indexes = expectedIndexes.GetValueOrDefault(name) ?? [];
            var present = restoredIndexes.GetValueOrDefault(name) ?? [];
            var recordedText = documents is null ? "(not recorded)" : $"{documents} documents, {indexes.Count + 1} indexes";
            if (!restored.TryGetValue(name, out var count))
            {
                verdicts.Add(new DrillVerdict("collection", name, recordedText, "(missing)", "MISSING", $"collection {name} was recorded at backup ({documents} documents) but is not in the restored database"));
                continue;
            }

            var restoredText = $"{count} documents, {present.Count} indexes";
            var missingIndexes = indexes.Except(present, StringComparer.Ordinal).ToList();
            if (documents is null)
            {
                verdicts.Add(new DrillVerdict("collection", name, recordedText, restoredText, "NOT RECORDED", $"collection {name} was restored ({count} documents) but the backup run recorded no count for it"));
            }
            else if (documents != count)
            {
                verdicts.Add(new DrillVerdict("collection", name, recordedText, restoredText, "DOCUMENTS DIFFER", $"collection {name}: {documents} documents recorded at backup, {count} restored"));
            }
            else if (recorded.Verified is not null && recorded.Verified.TryGetValue(name, out var verified) && verified != count)
            {
                verdicts.Add(new DrillVerdict("collection", name, recordedText, restoredText, "DOCUMENTS DIFFER", $"collection {name}: the backup's verification counted {verified} documents, {count} restored"));
            }
            else if (missingIndexes.Count > 0)
            {
                verdicts.Add(new DrillVerdict("collection", name, recordedText, restoredText, "INDEXES MISSING", $"collection {name} lacks the index(es) {string.Join(", ", missingIndexes)} of the archive's metadata"));
            }
            else
            {
                verdicts.Add(new DrillVerdict("collection", name, recordedText, restoredText, "OK", null));
            }
        }

        return verdicts;
    }

    private static string Short(string checksum)
    {
        var colon = checksum.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? checksum : checksum[(colon + 1)..];
    }
}
