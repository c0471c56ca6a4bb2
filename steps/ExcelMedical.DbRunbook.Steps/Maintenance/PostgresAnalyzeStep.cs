using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;

namespace ExcelMedical.DbRunbook.Steps.Maintenance;

/// <summary>The guide's "statistics update with ANALYZE", per database or per listed table.</summary>
[Step("postgres.analyze", "ANALYZE each database (or listed tables) to refresh planner statistics; reads and writes continue")]
public sealed class PostgresAnalyzeStep : Step<PostgresAnalyzeOptions>
{
    private const string Statement = "ANALYZE";
    private const string Locks = "SHARE UPDATE EXCLUSIVE locks: reads and writes continue";

    public override Task<StepPlan> PlanAsync(StepContext context, PostgresAnalyzeOptions options, CancellationToken cancellationToken) =>
        PerDatabaseCommand.PlanAsync(context, options, options.Tables, Statement, Locks, cancellationToken);

    public override Task<StepOutputs> ExecuteAsync(StepContext context, PostgresAnalyzeOptions options, CancellationToken cancellationToken) =>
        PerDatabaseCommand.ExecuteAsync(context, options, options.Tables, Statement, cancellationToken);
}
