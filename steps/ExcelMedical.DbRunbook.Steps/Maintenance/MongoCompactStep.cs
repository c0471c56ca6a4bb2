using System.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.Steps.Maintenance;

/// <summary>
/// The guide's "collection compaction": compact each collection, recording its storage size
/// before and after. On a replica set primary it refuses unless force is set (compact the
/// secondaries first, as MongoDB advises).
/// </summary>
[Step("mongo.compact", "Compact MongoDB collections (size before and after); refuses a replica set primary unless force is set")]
public sealed class MongoCompactStep : Step<MongoCompactOptions>
{
    public override async Task<StepPlan> PlanAsync(StepContext context, MongoCompactOptions options, CancellationToken cancellationToken)
    {
        using var session = await MongoSession.OpenAsync(context, options, cancellationToken);
        var collections = await session.CollectionsAsync(options.Collections, cancellationToken);
        var primaryOf = await session.PrimaryOfReplicaSetAsync(cancellationToken);
        var actions = new List<string>();
        if (primaryOf is not null && !options.Force)
        {
            actions.Add($"fail: {session.Target.Display} is the primary of replica set {primaryOf}: {ForceAdvice}");
        }

        foreach (var name in collections)
        {
            var storage = await session.StorageAsync(name, cancellationToken);
            actions.Add($"compact {session.Target.Database}.{name} ({ByteSize.Format(storage.StorageBytes)} on disk, {ByteSize.Format(storage.IndexBytes)} of indexes){(primaryOf is not null ? " with force" : string.Empty)}");
        }

        return StepPlan.Of(new StepOutputs().Add("collections", collections.ToList()), [.. actions]);
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, MongoCompactOptions options, CancellationToken cancellationToken)
    {
        using var session = await MongoSession.OpenAsync(context, options, cancellationToken);
        var collections = await session.CollectionsAsync(options.Collections, cancellationToken);
        string? primaryOf;
        try
        {
            primaryOf = await session.PrimaryOfReplicaSetAsync(cancellationToken);
        }
        catch (Exception ex) when (MongoSession.IsDriverError(ex))
        {
            throw session.Failure(ex, "hello");
        }

        if (primaryOf is not null && !options.Force)
        {
            throw new StepFailedException($"{session.Target.Display} is the primary of replica set {primaryOf}: {ForceAdvice}");
        }

        var operations = new List<MaintenanceOperation>();
        long freed = 0;
        foreach (var name in collections)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            var target = $"{session.Target.Database}.{name}";
            try
            {
                var before = await session.StorageAsync(name, cancellationToken);
                var command = new BsonDocument("compact", name);
                if (primaryOf is not null)
                {
                    command["force"] = true;
                }

                var reply = await session.Database.RunCommandAsync<BsonDocument>(command, cancellationToken: cancellationToken);
                var after = await session.StorageAsync(name, cancellationToken);
                var bytesFreed = reply.TryGetValue("bytesFreed", out var value) && value.IsNumeric ? value.ToInt64() : Math.Max(0, before.TotalBytes - after.TotalBytes);
                freed += bytesFreed;
                context.Log.Information("  compact {Collection}: {Before} -> {After} ({Freed} freed) in {Duration}", target, ByteSize.Format(before.TotalBytes), ByteSize.Format(after.TotalBytes), ByteSize.Format(bytesFreed), Duration.Format(clock.Elapsed));
                operations.Add(new MaintenanceOperation("compact", target, MaintenanceOperation.Done, clock.Elapsed.TotalSeconds, before.TotalBytes, after.TotalBytes, Note: $"{ByteSize.Format(bytesFreed)} freed"));
            }
            catch (Exception ex) when (MongoSession.IsDriverError(ex))
            {
                throw session.Failure(ex, $"compact of {name} (compact needs free disk to rewrite the collection; check it)");
            }
        }

        return new StepOutputs()
            .Add("collections", collections.ToList())
            .Add("size_before_bytes", operations.Sum(o => o.SizeBeforeBytes ?? 0))
            .Add("size_after_bytes", operations.Sum(o => o.SizeAfterBytes ?? 0))
            .Add("freed_bytes", freed)
            .Add("operations", MaintenanceOperation.ToOutputs(operations));
    }

    private const string ForceAdvice = "compact the secondaries first, then set force: true to compact the primary (MongoDB requires force there)";
}
