using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;

namespace ExcelMedical.DbRunbook.Steps.Maintenance;

/// <summary>
/// The guide's VACUUM ANALYZE: <c>VACUUM (ANALYZE)</c> in each database, in autocommit (VACUUM
/// cannot run inside a transaction block). It takes SHARE UPDATE EXCLUSIVE locks, so reads and
/// writes go on; space is made reusable, not returned to the operating system (see postgres.vacuum_full).
/// </summary>
[Step("postgres.vacuum", "VACUUM (ANALYZE) each database (or listed tables) outside a transaction; reads and writes continue")]
public sealed class PostgresVacuumStep : Step<PostgresVacuumOptions>
{
    private const string Locks = "SHARE UPDATE EXCLUSIVE locks: reads and writes continue";

    public override Task<StepPlan> PlanAsync(StepContext context, PostgresVacuumOptions options, CancellationToken cancellationToken) =>
        PerDatabaseCommand.PlanAsync(context, options, options.Tables, Statement(options), Locks, cancellationToken);

    public override Task<StepOutputs> ExecuteAsync(StepContext context, PostgresVacuumOptions options, CancellationToken cancellationToken) =>
        PerDatabaseCommand.ExecuteAsync(context, options, options.Tables, Statement(options), cancellationToken);

    private static string Statement(PostgresVacuumOptions options) => options.Analyze ? "VACUUM (ANALYZE)" : "VACUUM";
}
