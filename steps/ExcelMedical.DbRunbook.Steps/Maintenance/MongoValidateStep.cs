using System.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.Steps.Maintenance;

/// <summary>
/// The guide's "collection validation and repair", as MongoDB 6 allows it: validate reports
/// problems, but repair is not an online operation any more (repairDatabase was removed in 4.2;
/// only <c>mongod --repair</c> on a stopped server remains). So the step reports what is wrong and
/// fails with the recommended way out (resync the member from a healthy replica set member, or
/// restore from backup), instead of pretending to repair.
/// </summary>
[Step("mongo.validate", "Validate MongoDB collections and report problems with the recommended repair (MongoDB 6 repairs only offline)")]
public sealed class MongoValidateStep : Step<MongoValidateOptions>
{
    private const string Repair =
        "MongoDB 6 cannot repair online: resync this member from a healthy replica-set member (or restore the collection from the last verified backup); mongod --repair on a stopped standalone is the last resort";

    public override async Task<StepPlan> PlanAsync(StepContext context, MongoValidateOptions options, CancellationToken cancellationToken)
    {
        using var session = await MongoSession.OpenAsync(context, options, cancellationToken);
        var collections = await session.CollectionsAsync(options.Collections, cancellationToken);
        var actions = collections.Select(name => $"validate {session.Target.Database}.{name} ({Mode(options)}); report problems, repair nothing").ToList();
        if (collections.Count == 0)
        {
            actions.Add($"find no collection in {session.Target.Database}");
        }

        return StepPlan.Of(new StepOutputs().Add("collections", collections.ToList()), [.. actions]);
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, MongoValidateOptions options, CancellationToken cancellationToken)
    {
        using var session = await MongoSession.OpenAsync(context, options, cancellationToken);
        var collections = await session.CollectionsAsync(options.Collections, cancellationToken);
        var operations = new List<MaintenanceOperation>();
        var results = new List<Dictionary<string, object?>>();
        var invalid = new List<string>();
        foreach (var name in collections)
        {
            var clock = Stopwatch.StartNew();
            var command = new BsonDocument { { "validate", name }, { "full", options.Full } };
            if (options.Background)
            {
                command["background"] = true;
            }

            BsonDocument reply;
            try
            {
                reply = await session.Database.RunCommandAsync<BsonDocument>(command, cancellationToken: cancellationToken);
            }
            catch (Exception ex) when (MongoSession.IsDriverError(ex))
            {
                throw session.Failure(ex, $"validate of {name}");
            }

            var valid = reply.GetValue("valid", false).ToBoolean();
            var errors = Strings(reply, "errors");
            var warnings = Strings(reply, "warnings");
            var records = reply.GetValue("nrecords", 0).ToInt64();
            var invalidDocuments = reply.GetValue("nInvalidDocuments", 0).ToInt64();
            var target = $"{session.Target.Database}.{name}";
            results.Add(new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["collection"] = name,
                ["valid"] = valid,
                ["records"] = records,
                ["invalid_documents"] = invalidDocuments,
                ["errors"] = errors,
                ["warnings"] = warnings,
            });
            foreach (var warning in warnings)
            {
                context.Log.Warning("  {Collection}: {Warning}", target, warning);
            }

            if (valid)
            {
                context.Log.Information("  {Collection}: valid ({Records} records)", target, records);
                operations.Add(new MaintenanceOperation("validate", target, MaintenanceOperation.Done, clock.Elapsed.TotalSeconds, Note: warnings.Count == 0 ? "valid" : $"valid, {warnings.Count} warning(s): {string.Join("; ", warnings)}"));
            }
            else
            {
                var problem = $"{target}: {invalidDocuments} invalid document(s){(errors.Count > 0 ? ": " + string.Join("; ", errors) : string.Empty)}";
                invalid.Add(problem);
                context.Log.Error("  {Problem}", problem);
                operations.Add(new MaintenanceOperation("validate", target, MaintenanceOperation.Failed, clock.Elapsed.TotalSeconds, Note: $"INVALID: {string.Join("; ", errors)}; {Repair}"));
            }
        }

        if (invalid.Count > 0)
        {
            throw new StepFailedException($"validate found problems in {invalid.Count} collection(s): {string.Join(" | ", invalid)}. {Repair}");
        }

        return new StepOutputs()
            .Add("collections", collections.ToList())
            .Add("valid", collections.Count)
            .Add("results", results)
            .Add("operations", MaintenanceOperation.ToOutputs(operations));
    }

    private static string Mode(MongoValidateOptions options) =>
        options.Background ? "background: intent locks only, reads and writes continue" : options.Full ? "full, foreground: the collection is locked exclusively while checked" : "foreground: the collection is locked exclusively while checked";

    private static List<string> Strings(BsonDocument reply, string name) =>
        reply.TryGetValue(name, out var value) && value is BsonArray array ? [.. array.Select(v => v.ToString()!)] : [];
}
