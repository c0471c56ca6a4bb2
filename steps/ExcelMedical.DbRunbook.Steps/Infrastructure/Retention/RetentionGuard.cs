using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Alerts;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.SharedOptions;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Retention;

/// <summary>
/// The guard rail both retention steps share: a purge that would delete more than the allowed
/// share of a table or collection is taken for a mistake (a wrong column, a too-short period)
/// and refused, unless the playbook allows it explicitly for that table.
/// </summary>
internal static class RetentionGuard
{
    public static double Share(long matching, long total) => total == 0 ? 0 : (double)matching / total;

    /// <summary>
    /// Why the purge of one table or collection is held back (it would delete more than
    /// max_delete_share), or null when it may go ahead. A held-back entry is left untouched and
    /// the step warns; the other entries are purged.
    /// </summary>
    public static string? Check(string what, string field, int days, long matching, long total, double maxShare, bool allowed)
    {
        var share = Share(matching, total);
        if (share <= maxShare || allowed)
        {
            return null;
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"{what}: would delete {matching:N0} of {total:N0} ({PercentBeyond(share, maxShare)}), more than max_delete_share {Percent(maxShare)}; check the column ({field}) and days ({days})");
    }

    /// <summary>The failure message of a refused run (a missing table, a column that holds no dates): every refusal.</summary>
    public static string Refused(IEnumerable<string> refusals) =>
        $"retention refused, nothing was deleted: {string.Join("; ", refusals)}";

    /// <summary>The cutoff: the run's start minus the retention period, so the plan and the run agree to the second.</summary>
    public static DateTimeOffset Cutoff(DateTimeOffset runStarted, int days) => runStarted - TimeSpan.FromDays(days);

    /// <summary>0.863 as "86.3%".</summary>
    public static string Percent(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    /// <summary>A share beyond a limit, with a second decimal where one would show them equal (50.02% against 50%).</summary>
    public static string PercentBeyond(double share, double limit) =>
        Percent(share) == Percent(limit) ? (share * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%" : Percent(share);

    public static string Format(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);

    /// <summary>
    /// The warning of a step that held entries back: each one with its counts, and the exact
    /// command that confirms them once (the playbook variable confirm_var feeds
    /// allow_large_delete_for), or, without confirm_var, the options to set.
    /// </summary>
    /// <param name="kind">table or collection.</param>
    /// <param name="unit">rows or documents.</param>
    public static string HeldBack(StepContext context, IRetentionGuardOptions options, string kind, string unit, IReadOnlyList<HeldEntry> held)
    {
        var names = string.Join(",", held.Select(h => h.Name));
        var way = options.ConfirmVar is { Length: > 0 } variable
            ? $"if this is a backlog (e.g. the first purge after a long time), confirm it once with: {ConfirmCommand(context, variable, names)}"
            : $"if this is a backlog (e.g. the first purge after a long time), confirm it once with allow_large_delete_for: \"{names}\" (or allow_large_delete: true on the entry)";
        var what = string.Join(", ", held.Select(h => string.Create(CultureInfo.InvariantCulture, $"{h.Display} would lose {h.Older:N0} of {h.Total:N0} {unit} ({PercentBeyond(Share(h.Older, h.Total), options.MaxDeleteShare)})")));
        return $"held back {held.Count} {kind}(s), nothing deleted from them, every other {kind} purged: {what}, more than max_delete_share {Percent(options.MaxDeleteShare)} (if that is not expected, check the {kind}'s date field and days); {way}";
    }

    /// <summary><c>runbook run /path/playbook.yaml --var name=value</c>, quoted for a POSIX shell where needed.</summary>
    public static string ConfirmCommand(StepContext context, string variable, string value) =>
        $"runbook run {ShellWord(context.Run.PlaybookFile)} --var {ShellWord($"{variable}={value}")}";

    /// <summary>
    /// The names an operator confirmed for this run (allow_large_delete_for, comma-separated),
    /// matched against an entry's name as written or its qualified name.
    /// </summary>
    public static IReadOnlySet<string> Confirmed(string? list) =>
        (list ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);

    private static string ShellWord(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or ',' or '=' or ':' or '+' or '@')
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Raises a critical alert per refused purge, so notifiers with on: [alert] tell someone besides the failure.</summary>
    public static void Alert(StepContext context, string kind, IEnumerable<(string Target, string Reason)> refusals)
    {
        foreach (var (target, reason) in refusals)
        {
            context.Alerts.Raise(new RunAlert($"{kind}.retention:{target}", AlertSeverity.Critical, AlertTransition.Firing, $"retention purge refused, nothing deleted: {reason}", context.Time.GetLocalNow()));
        }
    }
}

/// <summary>A table or collection the share guard held back: its name as the policy lists it, as shown, and its counts.</summary>
internal sealed record HeldEntry(string Name, string Display, long Older, long Total);
