using System.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Restore;
using ExcelMedical.DbRunbook.Steps.Infrastructure.S3;

namespace ExcelMedical.DbRunbook.Steps.Restore;

/// <summary>
/// The guide's PostgreSQL restore (<c>gunzip -c postgres_….sql.gz | pg_restore -d … --clean --if-exists</c>)
/// with its guard rails: the dump is read completely first (every gzip CRC, every data block), so a
/// corrupt or truncated file is refused before anything is written; the target is a new database by
/// default, production only with confirm_overwrite_production, a non-empty one only with clean; the
/// restored tables' rows are compared with the rows counted in the dump.
/// </summary>
[Step("postgres.restore", "Restore a PostgreSQL backup (.sql.gz or directory format, local or from S3) into a new database, verified first, compared after")]
public sealed class PostgresRestoreStep : Step<PostgresRestoreOptions>
{
    public override Task<StepPlan> PlanAsync(StepContext context, PostgresRestoreOptions options, CancellationToken cancellationToken)
    {
        var connection = PostgresTarget.From(context.Connections.Get(options.Connection));
        var target = TargetOf(options, connection);
        var actions = new List<string> { BackupSource.Describe(context, Source(options)) };
        if (string.Equals(target, connection.Database, StringComparison.Ordinal) && !options.ConfirmOverwriteProduction)
        {
            actions.Add($"refuse: {target} is the connection's own (production) database; set confirm_overwrite_production: true to replace it");
            return Task.FromResult(StepPlan.Of([.. actions]));
        }

        actions.Add("read all of it first: every gzip CRC and every data block (pg_restore -f -); a corrupt or truncated dump is refused before anything is written");
        actions.Add(options.Clean
            ? $"restore into {target} on {connection.Host}:{connection.Port}, created from template0 if missing; its existing objects that the dump holds are dropped first (--clean --if-exists)"
            : $"restore into {target} on {connection.Host}:{connection.Port}, created from template0 if missing; refused if it exists and is not empty (set clean: true to replace its objects)");
        if (string.Equals(target, connection.Database, StringComparison.Ordinal))
        {
            actions.Add($"replace the production database {target} (confirm_overwrite_production: true)");
        }

        actions.Add($"pg_restore --dbname={target} --clean --if-exists --exit-on-error{(options.NoOwner ? " --no-owner" : string.Empty)} (one transaction for a .sql.gz, --jobs={options.Jobs} for a directory-format dump)");
        actions.Add($"compare every restored table's rows with the rows counted in the dump{(options.TableChecksums ? "; compute content checksums" : string.Empty)}");
        return Task.FromResult(StepPlan.Of(new StepOutputs().Add("target", target), [.. actions]));
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, PostgresRestoreOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var connection = PostgresTarget.From(context.Connections.Get(options.Connection));
        var target = TargetOf(options, connection);
        if (PostgresRestorer.NameProblem(target) is { } nameProblem)
        {
            throw new StepFailedException(nameProblem);
        }

        PostgresRestorer.RefuseProduction(connection, target, options.ConfirmOverwriteProduction);
        var pgRestore = PostgresTools.Locate("pg_restore", options.PgRestore, context.Environment);
        var restorer = new PostgresRestorer(context, connection, options.MaintenanceDatabase);

        // Checked before a long download and again just before writing.
        PostgresRestorer.RefuseNonEmpty(await restorer.InspectAsync(target, cancellationToken), target, connection, options.Clean);
        using var backup = await BackupSource.FetchAsync(context, Source(options), cancellationToken);
        var verified = await VerifyAsync(context, pgRestore, backup, target, cancellationToken);

        var state = await restorer.InspectAsync(target, cancellationToken);
        PostgresRestorer.RefuseNonEmpty(state, target, connection, options.Clean);
        if (!state.Exists)
        {
            await restorer.CreateAsync(target, cancellationToken);
        }

        double restoreSeconds;
        try
        {
            restoreSeconds = await restorer.RestoreAsync(backup, target, new PgRestoreSettings(pgRestore, options.NoOwner, options.Jobs), verified.Findings.Sha256, cancellationToken);
        }
        catch (StepFailedException) when (!state.Exists)
        {
            await DropQuietlyAsync(context, restorer, target);
            throw;
        }

        var figures = await restorer.MeasureAsync(target, options.TableChecksums, cancellationToken);
        var problems = Compare(verified.Findings.TableRows, figures);
        if (problems.Count > 0)
        {
            throw new StepFailedException($"{target} was restored from {backup.Path} but does not match the dump: {string.Join("; ", problems)}");
        }

        var rows = figures.Sum(f => f.Rows);
        context.Log.Information("  restored {File} into {Target}: {Tables} tables, {Rows} rows, each table's rows equal to the dump's, in {Seconds:0.0}s", backup.Path, target, figures.Count, rows, restoreSeconds);
        var outputs = new StepOutputs()
            .Add("file", backup.Path)
            .Add("source", backup.Origin)
            .Add("format", backup.IsDirectory ? "directory" : "custom+gzip")
            .Add("target", target)
            .Add("created", !state.Exists)
            .Add("tables", figures.Count)
            .Add("rows", rows)
            .Add("table_rows", figures.ToDictionary(f => f.Table, f => (object?)f.Rows, StringComparer.Ordinal))
            .Add("download_seconds", Math.Round(backup.Download?.Seconds ?? 0, 3))
            .Add("verify_seconds", Math.Round(verified.Seconds, 3))
            .Add("restore_seconds", Math.Round(restoreSeconds, 3))
            .Add("seconds", Math.Round(clock.Elapsed.TotalSeconds, 3));
        if (verified.Findings.Sha256 is not null)
        {
            outputs.Add("sha256", verified.Findings.Sha256);
        }

        if (options.TableChecksums)
        {
            outputs.Add("table_checksums", figures.ToDictionary(f => f.Table, f => (object?)f.Checksum, StringComparer.Ordinal));
        }

        return outputs;
    }

    /// <summary>The full read of the dump, before anything is written: a corrupt, truncated or changed file is refused here.</summary>
    internal static async Task<(PostgresDumpFindings Findings, double Seconds)> VerifyAsync(StepContext context, string pgRestore, FetchedBackup backup, string target, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var findings = await PostgresDumpCheck.RunAsync(pgRestore, backup.Path, cancellationToken);
        if (findings.Problems.Count > 0)
        {
            throw new StepFailedException($"refusing to restore {backup.Path}: it failed verification ({string.Join("; ", findings.Problems)}); nothing was written to {target}");
        }

        backup.CheckHash(findings.Sha256);
        context.Log.Information("  verified {File}: {Entries} TOC entries, {Tables} tables with data, {Bytes} read{Hash}", backup.Path, findings.Listing!.Entries, findings.Listing.TableDataEntries, ByteSize.Format(findings.DecompressedBytes), findings.Sha256 is null ? string.Empty : $", SHA-256 {findings.Sha256}");
        return (findings, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Each table the dump has rows for must be in the restored database with exactly that many rows.</summary>
    internal static List<string> Compare(IReadOnlyDictionary<string, long> dumped, IReadOnlyList<TableFigures> restored)
    {
        var byName = restored.ToDictionary(f => f.Table, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (table, rows) in dumped.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (!byName.TryGetValue(table, out var figures))
            {
                problems.Add($"table {NameText.Printable(table)} ({rows} rows in the dump) is missing");
            }
            else if (figures.Rows != rows)
            {
                problems.Add($"table {NameText.Printable(table)} has {figures.Rows} rows, the dump {rows}");
            }
        }

        return problems;
    }

    private static async Task DropQuietlyAsync(StepContext context, PostgresRestorer restorer, string target)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await restorer.DropAsync(target, timeout.Token);
        }
        catch (Exception ex) when (ex is StepFailedException or Npgsql.NpgsqlException or OperationCanceledException)
        {
            context.Log.Warning("  could not drop {Target}, which this run created for the failed restore: {Error}", target, ex.Message);
        }
    }

    private static string TargetOf(PostgresRestoreOptions options, PostgresTarget connection) =>
        string.IsNullOrWhiteSpace(options.Target) ? connection.Database + "_restored" : options.Target.Trim();

    private static SourceRequest Source(PostgresRestoreOptions options) =>
        new("PostgreSQL dump", options.File, options.Folder, options.Pattern, options.S3, options.From, options.DownloadFolder, options.Sha256 is null ? null : new ExpectedHash(options.Sha256, "the sha256 option"));
}
