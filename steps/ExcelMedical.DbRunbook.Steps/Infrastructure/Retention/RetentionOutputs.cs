using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Retention;

/// <summary>What a retention census says about one table or collection, as the step outputs need it.</summary>
internal interface IRetentionCensus
{
    DateTimeOffset Cutoff { get; }

    long Older { get; }

    string? Refusal { get; }

    /// <summary>The column or field compared with the cutoff.</summary>
    string Field { get; }

    int Days { get; }

    /// <summary>The cutoff as the column or field is compared with it (an instant, or a zone's wall-clock time or day).</summary>
    string CutoffText => RetentionGuard.Format(Cutoff);

    Dictionary<string, object?> ToOutput();
}

/// <summary>What the real run did to one table or collection.</summary>
internal sealed record RetentionPurge<TCensus>(TCensus Census, long Deleted, int Batches, long SizeBefore, long SizeAfter, double Seconds)
{
    /// <summary>Further outputs of the purge of this table (e.g. what a cascade changed elsewhere).</summary>
    public IReadOnlyDictionary<string, object?>? Extra { get; init; }
}

/// <summary>
/// The outputs both retention steps report, for the plan (no results) and the run: the same shape
/// with the step's own words, e.g. <c>tables</c> and <c>rows_deleted</c> or <c>collections</c> and <c>documents_deleted</c>.
/// </summary>
internal static class RetentionOutputs
{
    /// <param name="items">The key of the per-table or per-collection list: tables, collections.</param>
    /// <param name="unit">What is deleted: rows, documents.</param>
    /// <param name="target">The name of a table or collection in the operations output.</param>
    public static StepOutputs Of<TCensus>(IReadOnlyList<TCensus> census, IReadOnlyList<RetentionPurge<TCensus>>? results, string items, string unit, Func<TCensus, string> target)
        where TCensus : class, IRetentionCensus
    {
        var refused = census.Any(c => c.Refusal is not null);
        var list = census.Select(c =>
        {
            var output = c.ToOutput();
            if (results?.FirstOrDefault(r => ReferenceEquals(r.Census, c)) is { } result)
            {
                output[$"{unit}_deleted"] = result.Deleted;
                output["batches"] = result.Batches;
                output["size_before_bytes"] = result.SizeBefore;
                output["size_after_bytes"] = result.SizeAfter;
                output["duration_seconds"] = Math.Round(result.Seconds, 3);
                foreach (var (key, value) in result.Extra ?? new Dictionary<string, object?>())
                {
                    output[key] = value;
                }
            }

            return output;
        }).ToList();
        var outputs = new StepOutputs()
            .Add(items, list)
            .Add($"{unit}_to_delete", refused ? 0L : census.Sum(c => c.Older))
            .Add("refused", census.Where(c => c.Refusal is not null).Select(c => c.Refusal).ToList());
        if (results is not null)
        {
            outputs.Add($"{unit}_deleted", results.Sum(r => r.Deleted));
            outputs.Add("operations", MaintenanceOperation.ToOutputs(results.Select(r => new MaintenanceOperation(
                "retention purge", target(r.Census), MaintenanceOperation.Done, r.Seconds, r.SizeBefore, r.SizeAfter, r.Deleted,
                $"{r.Census.Field} < {r.Census.CutoffText} ({r.Census.Days} days), {r.Batches} batch(es)"))));
        }
        else
        {
            outputs.Add("operations", MaintenanceOperation.ToOutputs(census.Select(c => new MaintenanceOperation(
                "retention purge", target(c), c.Refusal is null ? MaintenanceOperation.Planned : MaintenanceOperation.Refused, 0, RowsDeleted: c.Refusal is null ? c.Older : 0, Note: c.Refusal))));
        }

        return outputs;
    }
}
