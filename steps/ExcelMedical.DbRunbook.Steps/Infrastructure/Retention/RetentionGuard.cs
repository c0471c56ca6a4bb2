using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Alerts;
using ExcelMedical.DbRunbook.Engine.Steps;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Retention;

/// <summary>
/// The guard rail both retention steps share: a purge that would delete more than the allowed
/// share of a table or collection is taken for a mistake (a wrong column, a too-short period)
/// and refused, unless the playbook allows it explicitly for that table.
/// </summary>
internal static class RetentionGuard
{
    public static double Share(long matching, long total) => total == 0 ? 0 : (double)matching / total;

    /// <summary>Why the purge is refused, or null when it may go ahead.</summary>
    public static string? Check(string what, string field, int days, long matching, long total, double maxShare, bool allowed)
    {
        var share = Share(matching, total);
        if (share <= maxShare || allowed)
        {
            return null;
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"{what}: would delete {matching:N0} of {total:N0} ({Percent(share)}), more than max_delete_share {Percent(maxShare)}; check the column ({field}) and days ({days})");
    }

    /// <summary>The failure message of a refused run: every refusal, and once what to do if the large purge is meant.</summary>
    public static string Refused(IEnumerable<string> refusals)
    {
        var list = refusals.ToList();
        var advice = list.Any(r => r.Contains("max_delete_share", StringComparison.Ordinal))
            ? ". If a large purge is intended (e.g. the first one after a long backlog), set allow_large_delete: true on that entry or raise max_delete_share"
            : string.Empty;
        return $"retention refused, nothing was deleted: {string.Join("; ", list)}{advice}";
    }

    /// <summary>The cutoff: the run's start minus the retention period, so the plan and the run agree to the second.</summary>
    public static DateTimeOffset Cutoff(DateTimeOffset runStarted, int days) => runStarted - TimeSpan.FromDays(days);

    /// <summary>0.863 as "86.3%".</summary>
    public static string Percent(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    public static string Format(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);

    /// <summary>Raises a critical alert per refused purge, so notifiers with on: [alert] tell someone besides the failure.</summary>
    public static void Alert(StepContext context, string kind, IEnumerable<(string Target, string Reason)> refusals)
    {
        foreach (var (target, reason) in refusals)
        {
            context.Alerts.Raise(new RunAlert($"{kind}.retention:{target}", AlertSeverity.Critical, AlertTransition.Firing, $"retention purge refused, nothing deleted: {reason}", context.Time.GetLocalNow()));
        }
    }
}
