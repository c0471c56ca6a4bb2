using System.Data;
using System.Diagnostics;
using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Processes;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Compression;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Files;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;
using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Postgres;

/// <summary>
/// pg_dump in custom format, streamed through a parallel gzip into the guide's
/// postgres_YYYYMMDD_HHMMSS.sql.gz: no uncompressed copy on disk or in memory, a temporary name
/// until the dump is complete, the password only in pg_dump's environment. The table list
/// (and optionally content checksums) are taken in the same snapshot pg_dump dumps.
/// </summary>
[Step("postgres.dump", "Dump a PostgreSQL database (pg_dump custom format, gzip on every core, or directory format with parallel jobs)")]
public sealed class PostgresDumpStep : Step<PostgresDumpOptions>
{
    public override Task<StepPlan> PlanAsync(StepContext context, PostgresDumpOptions options, CancellationToken cancellationToken)
    {
        var target = PostgresTarget.From(context.Connections.Get(options.Connection));
        var output = context.ResolvePath(options.File);
        var spec = PgDumpSpec(options, "pg_dump", target, output, snapshot: null);
        var sink = options.Format == DumpFormat.Custom
            ? $" | gzip -{options.CompressionLevel} on {Environment.ProcessorCount} cores > {output}"
            : string.Empty;
        var plan = new List<string> { $"dump {target.Display}: {spec.Display}{sink}" };
        if (options.Format == DumpFormat.Custom)
        {
            plan.Add($"written as {output}.partial and renamed when complete{(options.TableChecksums ? "; row counts and content checksums of every table recorded" : string.Empty)}");
        }

        var found = DiskSpace.FindPreviousBackup(output);
        if (found.SkippedNote is { } skipped)
        {
            plan.Add(skipped);
        }

        if (found.Size is { } previous)
        {
            plan.Add($"needs {ByteSize.Format(previous * options.FreeSpaceFactor)} free (last backup {ByteSize.Format(previous)}); {ByteSize.Format(DiskSpace.Available(output))} free now");
        }

        return Task.FromResult(StepPlan.Of(new StepOutputs().Add("file", output).Add("format", FormatName(options)), [.. plan]));
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, PostgresDumpOptions options, CancellationToken cancellationToken)
    {
        var target = PostgresTarget.From(context.Connections.Get(options.Connection));
        var output = context.ResolvePath(options.File);
        var pgDump = PostgresTools.Locate("pg_dump", options.PgDump, context.Environment);
        var toolVersion = await PostgresTools.MajorVersionAsync(pgDump, cancellationToken);
        DiskSpace.EnsureRoomFor(output, options.FreeSpaceFactor, context.Log);

        await using var connection = await target.OpenAsync(cancellationToken, commandTimeoutSeconds: 0);
        var serverVersion = await PostgresServerVersion.MajorAsync(connection, cancellationToken);
        if (toolVersion < serverVersion)
        {
            throw new StepFailedException($"{pgDump} is version {toolVersion} but the server runs PostgreSQL {serverVersion}: pg_dump must be at least as new as the server (install postgresql-client-{serverVersion} or set the step's pg_dump option)");
        }

        // The snapshot pg_dump dumps stays valid while this transaction is open, so the figures
        // below describe exactly the dump's contents even while the application keeps writing.
        await using var snapshotTransaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        var snapshot = await ExportSnapshotAsync(connection, cancellationToken);
        var selection = new DumpSelection(options.Schemas, options.ExcludeSchemas, options.Tables, options.ExcludeTables);
        var tables = await TableInventory.ListAsync(connection, selection, cancellationToken);

        context.Log.Information("  dumping {Target} with {PgDump} (client {Client}, server {Server}), {Tables} tables", target.Display, pgDump, toolVersion, serverVersion, tables.Count);
        var clock = Stopwatch.StartNew();
        var outputs = options.Format == DumpFormat.Custom
            ? await DumpCompressedAsync(context, options, target, pgDump, output, snapshot, cancellationToken)
            : await DumpDirectoryAsync(context, options, target, pgDump, output, snapshot, cancellationToken);
        var dumpSeconds = clock.Elapsed.TotalSeconds;

        var checksums = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (options.TableChecksums)
        {
            foreach (var (schema, table) in tables)
            {
                var figures = await TableInventory.MeasureAsync(connection, schema, table, withChecksums: true, cancellationToken);
                checksums[figures.Table] = figures.Checksum;
            }
        }

        await snapshotTransaction.CommitAsync(cancellationToken);
        outputs
            .Add("format", FormatName(options))
            .Add("database", target.Database)
            .Add("server_version", serverVersion)
            .Add("pg_dump_version", toolVersion)
            .Add("dump_seconds", Math.Round(dumpSeconds, 3))
            .Add("tables", tables.Count)
            .Add("table_names", tables.Select(t => t.Schema + "." + t.Table).ToList());
        if (options.TableChecksums)
        {
            outputs.Add("table_checksums", checksums);
        }

        return outputs;
    }

    private static async Task<StepOutputs> DumpCompressedAsync(StepContext context, PostgresDumpOptions options, PostgresTarget target, string pgDump, string output, string snapshot, CancellationToken cancellationToken)
    {
        using var atomic = context.Files.Create(output, keepExisting: true);
        var spec = PgDumpSpec(options, pgDump, target, atomic.TemporaryPath, snapshot);
        using var dump = ChildProcess.Start(spec, line => context.Log.Warning("  pg_dump: {Line}", line));
        long uncompressed;
        long compressed;
        string sha256;
        try
        {
            // Disposing the file flushes its buffer, which can fail again on a full disk: the
            // catch below sits outside the using so that failure gets the same clear message.
            await using var file = atomic.OpenFile();
            await using var gzip = new ParallelGzipStream(file, options.CompressionLevel);
            using var reporting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var progress = ReportProgressAsync(context, gzip, reporting.Token);
            try
            {
                await dump.StandardOutput.CopyToAsync(gzip, 1 << 20, cancellationToken);
            }
            finally
            {
                await reporting.CancelAsync();
                await progress;
                context.Progress.Clear();
                if (cancellationToken.IsCancellationRequested)
                {
                    dump.Kill();
                }
            }

            var exitCode = await dump.WaitForExitAsync(cancellationToken);
            if (exitCode != 0)
            {
                throw new StepFailedException($"pg_dump failed with exit code {exitCode}: {dump.ErrorSummary()}");
            }

            await gzip.CompleteAsync(cancellationToken);
            file.Flush(flushToDisk: true);
            uncompressed = gzip.UncompressedBytes;
            compressed = gzip.CompressedBytes;
            sha256 = gzip.Sha256;
        }
        catch (IOException ex)
        {
            dump.Kill();
            throw DiskSpace.DiskFull(ex, output) ?? new StepFailedException($"writing {output} failed: {ex.Message}", ex);
        }

        atomic.Commit();
        context.Log.Information("  wrote {File}: {Size} ({Raw} before compression)", output, ByteSize.Format(compressed), ByteSize.Format(uncompressed));
        return new StepOutputs()
            .Add("file", output)
            .Add("size_bytes", compressed)
            .Add("uncompressed_bytes", uncompressed)
            .Add("compression_ratio", uncompressed == 0 ? 1.0 : Math.Round((double)compressed / uncompressed, 4))
            .Add("sha256", sha256);
    }

    /// <summary>Once a second on a terminal: how much pg_dump produced and how much is written.</summary>
    private static async Task ReportProgressAsync(StepContext context, ParallelGzipStream gzip, CancellationToken cancellationToken)
    {
        var started = context.Time.GetTimestamp();
        using var ticks = new PeriodicTimer(TimeSpan.FromSeconds(1), context.Time);
        try
        {
            while (await ticks.WaitForNextTickAsync(cancellationToken))
            {
                context.Progress.Report($"pg_dump: {ByteSize.Format(gzip.UncompressedBytes)} dumped, {ByteSize.Format(gzip.CompressedBytes)} written, {Duration.Format(context.Time.GetElapsedTime(started))}");
            }
        }
        catch (OperationCanceledException)
        {
            // The dump ended (or was cancelled): the step's own lines take over.
        }
    }

    private static async Task<StepOutputs> DumpDirectoryAsync(StepContext context, PostgresDumpOptions options, PostgresTarget target, string pgDump, string output, string snapshot, CancellationToken cancellationToken)
    {
        using var atomic = context.Files.Create(output, keepExisting: true);
        var spec = PgDumpSpec(options, pgDump, target, atomic.TemporaryPath, snapshot);
        var result = await ChildProcess.RunAsync(spec, cancellationToken, onErrorLine: line => context.Log.Warning("  pg_dump: {Line}", line));
        if (result.ExitCode != 0)
        {
            throw new StepFailedException($"pg_dump failed with exit code {result.ExitCode}: {result.ErrorSummary()}");
        }

        Engine.IO.SecureFiles.Restrict(atomic.TemporaryPath);
        foreach (var file in Directory.EnumerateFiles(atomic.TemporaryPath))
        {
            Engine.IO.SecureFiles.Restrict(file);
        }

        atomic.Commit();
        var size = DiskSpace.SizeOf(output);
        context.Log.Information("  wrote {Folder}: {Size}", output, ByteSize.Format(size));
        return new StepOutputs().Add("file", output).Add("size_bytes", size);
    }

    private static ProcessSpec PgDumpSpec(PostgresDumpOptions options, string pgDump, PostgresTarget target, string output, string? snapshot)
    {
        var arguments = new List<string> { "--no-password" };
        if (options.Format == DumpFormat.Custom)
        {
            // Uncompressed custom format on stdout: compression happens in parallel in-process.
            arguments.AddRange(["--format=custom", "--compress=0"]);
        }
        else
        {
            arguments.AddRange(["--format=directory", "--jobs=" + options.Jobs.ToString(CultureInfo.InvariantCulture), "--compress=" + options.CompressionLevel.ToString(CultureInfo.InvariantCulture), "--file=" + output]);
        }

        if (snapshot is not null)
        {
            arguments.Add("--snapshot=" + snapshot);
        }

        arguments.AddRange(new DumpSelection(options.Schemas, options.ExcludeSchemas, options.Tables, options.ExcludeTables).PgDumpArguments());
        arguments.Add(target.Database);
        return new ProcessSpec(pgDump, arguments) { Environment = target.ClientEnvironment() };
    }

    private static async Task<string> ExportSnapshotAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_export_snapshot()", connection);
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static string FormatName(PostgresDumpOptions options) => options.Format == DumpFormat.Custom ? "custom+gzip" : "directory";
}
