using System.Globalization;
using System.Text.RegularExpressions;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Files;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Backups;

/// <summary>A YYYY-MM-DD day folder directly under the backup root.</summary>
internal sealed record DatedFolder(string Name, string Path, DateOnly Date);

/// <summary>What happens to one day folder, and why, in the operator's words.</summary>
internal sealed record RetentionDecision(DatedFolder Folder, bool Delete, string Reason);

/// <summary>An entry of the root that is not a day folder and is therefore never touched.</summary>
internal sealed record IgnoredEntry(string Name, string Reason);

/// <summary>
/// Which day folders of a backup root go and which stay. The dry run and the real run both use
/// this one computation, so the plan lists exactly the folders the run deletes.
/// </summary>
internal sealed partial record RetentionPlan(
    string Root,
    DateOnly Today,
    DateOnly Cutoff,
    IReadOnlyList<RetentionDecision> Decisions,
    IReadOnlyList<IgnoredEntry> Ignored)
{
    public IEnumerable<RetentionDecision> Deletions => Decisions.Where(d => d.Delete).OrderBy(d => d.Folder.Date);

    public IEnumerable<RetentionDecision> Kept => Decisions.Where(d => !d.Delete);

    public static RetentionPlan Make(string root, DateOnly today, int keepDays, int minKeep)
    {
        var cutoff = today.AddDays(-keepDays);
        var folders = new List<DatedFolder>();
        var ignored = new List<IgnoredEntry>();
        foreach (var entry in SafeTree.Entries(new DirectoryInfo(root)))
        {
            if (SafeTree.IsLink(entry))
            {
                ignored.Add(new IgnoredEntry(entry.Name, "a symbolic link (never followed)"));
            }
            else if (entry is not DirectoryInfo)
            {
                ignored.Add(new IgnoredEntry(entry.Name, "not a folder"));
            }
            else if (!DayName().IsMatch(entry.Name)
                || !DateOnly.TryParseExact(entry.Name, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                ignored.Add(new IgnoredEntry(entry.Name, "not a YYYY-MM-DD day folder"));
            }
            else
            {
                folders.Add(new DatedFolder(entry.Name, entry.FullName, date));
            }
        }

        var decisions = folders
            .OrderByDescending(folder => folder.Date)
            .Select((folder, rank) => Decide(folder, rank, today, cutoff, keepDays, minKeep))
            .ToList();
        return new RetentionPlan(root, today, cutoff, decisions, [.. ignored.OrderBy(i => i.Name, StringComparer.Ordinal)]);
    }

    private static RetentionDecision Decide(DatedFolder folder, int rank, DateOnly today, DateOnly cutoff, int keepDays, int minKeep)
    {
        var age = today.DayNumber - folder.Date.DayNumber;
        var old = age switch
        {
            0 => "today's",
            1 => "1 day old",
            _ => $"{age} days old",
        };
        if (folder.Date >= cutoff)
        {
            return new RetentionDecision(folder, false, age < 0 ? "dated in the future" : $"{old}, within keep_days={keepDays}");
        }

        if (rank == 0)
        {
            return new RetentionDecision(folder, false, $"{old}, but the newest day folder is never deleted");
        }

        if (rank < minKeep)
        {
            return new RetentionDecision(folder, false, $"{old}, but one of the min_keep={minKeep} newest");
        }

        return new RetentionDecision(folder, true, $"{old}, before the cutoff {cutoff:yyyy-MM-dd}");
    }

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex DayName();
}
