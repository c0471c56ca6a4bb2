using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Backups;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Files;

namespace ExcelMedical.DbRunbook.Steps.Backups;

/// <summary>
/// The guide's retention policy: day folders (YYYY-MM-DD) under the backup root older than
/// keep_days are deleted, but only after this run's backups were verified (by default every
/// earlier verification step of the run), never the newest one and never fewer than min_keep.
/// Anything that is not a day folder is left alone, links are never followed, and a day folder
/// holding a mount point is refused whole: the prune never crosses into another file system.
/// </summary>
[Step("backups.prune", "Delete YYYY-MM-DD backup folders older than keep_days, only after this run's backups were verified, keeping min_keep")]
public sealed class PruneBackupsStep : Step<PruneBackupsOptions>
{
    /// <summary>The steps that verify a backup; by default each one of them earlier in the run must have succeeded.</summary>
    private static readonly string[] VerifyKinds = ["postgres.verify", "archive.verify"];

    public override Task<StepPlan> PlanAsync(StepContext context, PruneBackupsOptions options, CancellationToken cancellationToken)
    {
        var root = CheckRoot(context, options);
        var actions = new List<string>();
        var required = RequiredSteps(context, options);
        var problems = VerificationProblems(context, options, required);
        actions.Add(Requirement(options, required));
        if (problems.Count > 0)
        {
            actions.Add($"REFUSE to delete anything: {string.Join("; ", problems)}");
        }

        if (!Directory.Exists(root))
        {
            actions.Add($"find no {root}: the run fails here unless an earlier step creates it");
            return Task.FromResult(StepPlan.Of(Outputs([], 0, 0, null), [.. actions]));
        }

        var plan = RetentionPlan.Make(root, Today(context), options.KeepDays, options.MinKeep);
        actions.Add($"prune {root}: day folders dated before {plan.Cutoff:yyyy-MM-dd} (today {plan.Today:yyyy-MM-dd} minus keep_days={options.KeepDays}), keeping at least min_keep={options.MinKeep}");
        var deletions = new List<RetentionDecision>();
        long bytes = 0;
        foreach (var decision in plan.Deletions)
        {
            var size = SafeTree.Size(new DirectoryInfo(decision.Folder.Path));
            if (problems.Count > 0)
            {
                actions.Add($"not delete {decision.Folder.Name} ({decision.Reason}; {ByteSize.Format(size)}) because of the refusal above");
            }
            else if (MountProblem(root, decision.Folder) is { } mount)
            {
                actions.Add($"REFUSE to delete {decision.Folder.Name} ({decision.Reason}): {mount}; nothing of it is deleted, and the step fails after pruning the others");
            }
            else
            {
                deletions.Add(decision);
                bytes += size;
                actions.Add($"delete {decision.Folder.Name} ({decision.Reason}; {ByteSize.Format(size)})");
            }
        }

        foreach (var decision in plan.Kept)
        {
            actions.Add($"keep {decision.Folder.Name} ({decision.Reason})");
        }

        foreach (var ignored in plan.Ignored)
        {
            actions.Add($"ignore {ignored.Name} ({ignored.Reason})");
        }

        if (deletions.Count > 0)
        {
            actions.Add($"free {ByteSize.Format(bytes)} ({bytes} bytes) in all, keeping {plan.Decisions.Count - deletions.Count} day folder(s)");
        }

        var kept = plan.Decisions.Count - deletions.Count;
        return Task.FromResult(StepPlan.Of(Outputs([.. deletions.Select(d => d.Folder.Name)], kept, bytes, plan), [.. actions]));
    }

    public override Task<StepOutputs> ExecuteAsync(StepContext context, PruneBackupsOptions options, CancellationToken cancellationToken)
    {
        var root = CheckRoot(context, options);
        var required = RequiredSteps(context, options);
        var problems = VerificationProblems(context, options, required);
        if (problems.Count > 0)
        {
            throw new StepFailedException($"refusing to prune {root}: {string.Join("; ", problems)}. Old backups are deleted only after this run's backups are verified; nothing was deleted");
        }

        context.Log.Information("  {Requirement}", Requirement(options, required));

        if (!Directory.Exists(root))
        {
            throw new StepFailedException(File.Exists(root)
                ? $"the backup root {root} is a file, not a folder; check the root option"
                : $"the backup root {root} does not exist; check the root option (BACKUP_ROOT_DIR)");
        }

        var plan = RetentionPlan.Make(root, Today(context), options.KeepDays, options.MinKeep);
        var deleted = new List<string>();
        var failures = new List<string>();
        var refusals = new List<string>();
        long freed = 0;
        foreach (var decision in plan.Deletions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var folder = decision.Folder;
            if (!SafeTree.IsRealDirectory(folder.Path))
            {
                // Replaced by a link (or removed) since the listing: never follow it.
                context.Log.Warning("  {Folder} changed while pruning; left alone", folder.Name);
                continue;
            }

            if (MountProblem(root, folder) is { } mount)
            {
                refusals.Add($"{folder.Name}: {mount}");
                context.Log.Warning("  refused to delete {Folder}: {Reason}; nothing of it was deleted", folder.Name, mount);
                continue;
            }

            var size = SafeTree.Size(new DirectoryInfo(folder.Path));
            try
            {
                SafeTree.Delete(new DirectoryInfo(folder.Path), MountBoundary.Stat(folder.Path));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                failures.Add($"{folder.Name}: {ex.Message}");
                continue;
            }

            deleted.Add(folder.Name);
            freed += size;
            context.Log.Information("  deleted {Folder} ({Reason}; {Size})", folder.Name, decision.Reason, ByteSize.Format(size));
        }

        foreach (var decision in plan.Kept.Where(d => d.Folder.Date < plan.Cutoff))
        {
            context.Log.Information("  kept {Folder} ({Reason})", decision.Folder.Name, decision.Reason);
        }

        var kept = plan.Decisions.Count - deleted.Count;
        context.Log.Information(
            "  kept {Kept} day folder(s) in {Root} (newest {Newest}), deleted {Deleted}, freed {Freed}",
            kept,
            root,
            plan.Decisions.Count > 0 ? plan.Decisions[0].Folder.Name : "none",
            deleted.Count,
            ByteSize.Format(freed));
        if (refusals.Count > 0)
        {
            failures.Add($"refused {refusals.Count} folder(s) holding a mount point, deleting nothing of them ({string.Join("; ", refusals)}): unmount it or move it out of the backup root, then prune again");
        }

        if (failures.Count > 0)
        {
            throw new StepFailedException($"could not delete {failures.Count} old backup folder(s) in {root} (deleted {deleted.Count}): {string.Join("; ", failures)}");
        }

        return Task.FromResult(Outputs(deleted, kept, freed, plan));
    }

    private static StepOutputs Outputs(List<string> deleted, int kept, long freed, RetentionPlan? plan)
    {
        var outputs = new StepOutputs()
            .Add("deleted", deleted)
            .Add("kept", kept)
            .Add("freed_bytes", freed);
        if (plan is not null)
        {
            outputs.Add("cutoff", plan.Cutoff.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        }

        return outputs;
    }

    private static DateOnly Today(StepContext context) => DateOnly.FromDateTime(context.Time.GetLocalNow().DateTime);

    private static string CheckRoot(StepContext context, PruneBackupsOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Root))
        {
            throw new StepFailedException("the root option is empty; set it to the backup root (BACKUP_ROOT_DIR), e.g. \"{{ vars.root }}\"");
        }

        var root = Path.TrimEndingDirectorySeparator(context.ResolvePath(options.Root.Trim()));
        if (IsFileSystemRoot(root) || IsFileSystemRoot(FinalTarget(root)))
        {
            throw new StepFailedException($"refusing to prune the file system root '{options.Root}'; set root to the backup folder (BACKUP_ROOT_DIR)");
        }

        return root;
    }

    /// <summary>Where a root that is a link finally points (the root itself otherwise).</summary>
    private static string FinalTarget(string root)
    {
        var info = new DirectoryInfo(root);
        if (info.LinkTarget is null)
        {
            return root;
        }

        try
        {
            return Path.TrimEndingDirectorySeparator(info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? root);
        }
        catch (IOException)
        {
            return root;
        }
    }

    private static bool IsFileSystemRoot(string path) => path.Length == 0 || path == Path.GetPathRoot(path);

    /// <summary>Why a day folder may not be deleted because of a mount point in it, or null when it may.</summary>
    private static string? MountProblem(string root, DatedFolder folder)
    {
        try
        {
            return MountBoundary.FirstMountPoint(folder.Path) is not { } point ? null
                : point == folder.Path ? "it is itself a mount point (another file system is mounted there)"
                : $"it holds the mount point {Path.GetRelativePath(root, point)} (another file system is mounted there)";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"cannot prove it holds no mount point: {ex.Message}";
        }
    }

    /// <summary>
    /// The steps that must have succeeded: require_verified as written, or by default every earlier
    /// verification step of this run (postgres.verify, archive.verify).
    /// </summary>
    private static (IReadOnlyList<string> Ids, bool ByDefault) RequiredSteps(StepContext context, PruneBackupsOptions options) =>
        options.RequireVerified is { } named
            ? (named, false)
            : ([.. context.Run.Steps.Where(s => s.Id != context.StepId && VerifyKinds.Contains(s.Uses, StringComparer.Ordinal)).Select(s => s.Id).Distinct(StringComparer.Ordinal)], true);

    private static string Requirement(PruneBackupsOptions options, (IReadOnlyList<string> Ids, bool ByDefault) required) => required switch
    {
        { ByDefault: true, Ids.Count: 0 } => $"require this run's verification steps ({string.Join(", ", VerifyKinds)}) to have succeeded, but there are none before this step",
        { ByDefault: true } => $"require this run's verification steps {Describe(options, required.Ids)} to have succeeded (require_verified not set: every earlier {string.Join(" / ", VerifyKinds)} step)",
        { Ids.Count: 0 } => "prune without waiting for any verification (require_verified: [])",
        _ => $"require {Describe(options, required.Ids)} to have succeeded in this run",
    };

    /// <summary>Why the required verification steps do not allow pruning; empty when they do.</summary>
    private static List<string> VerificationProblems(StepContext context, PruneBackupsOptions options, (IReadOnlyList<string> Ids, bool ByDefault) required)
    {
        var problems = new List<string>();
        if (required is { ByDefault: true, Ids.Count: 0 })
        {
            problems.Add($"this run has no verification step ({string.Join(", ", VerifyKinds)}) before backups.prune; add one after each dump, name the steps in require_verified, or set require_verified: [] to prune without verification");
        }

        foreach (var step in options.OptionalSteps.Where(step => required.ByDefault && !required.Ids.Contains(step, StringComparer.Ordinal)))
        {
            problems.Add($"optional_steps names '{step}', which is not one of this run's verification steps ({(required.Ids.Count == 0 ? "none" : string.Join(", ", required.Ids))})");
        }

        foreach (var id in required.Ids)
        {
            var step = context.EarlierStep(id);
            var optional = options.OptionalSteps.Contains(id, StringComparer.Ordinal);
            switch (step?.Status)
            {
                case null or StepStatus.Pending:
                    problems.Add($"step '{id}' has not run before this step (put backups.prune after it, and check the id)");
                    break;
                case StepStatus.Succeeded or StepStatus.Planned:
                    break;
                case StepStatus.Skipped when optional:
                    context.Log.Information("  {Step} was skipped, which optional_steps allows", id);
                    break;
                case StepStatus.Skipped:
                    problems.Add($"step '{id}' was skipped ({step.Message}); list it in optional_steps if that is acceptable");
                    break;
                default:
                    problems.Add($"step '{id}' {StatusNames.Of(step.Status).Replace('_', ' ')}{(step.Message is null ? string.Empty : ": " + step.Message)}");
                    break;
            }
        }

        return problems;
    }

    private static string Describe(PruneBackupsOptions options, IReadOnlyList<string> ids) =>
        string.Join(", ", ids.Select(id => options.OptionalSteps.Contains(id, StringComparer.Ordinal) ? $"{id} (or skipped)" : id));
}
