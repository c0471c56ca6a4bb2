using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using ExcelMedical.DbRunbook.Engine.Processes;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Compression;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Files;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;
using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Restore;

/// <summary>Whether a target database exists, and how many relations (tables, views, sequences, indexes) it holds.</summary>
internal sealed record TargetState(bool Exists, long Relations)
{
    public bool IsEmpty => Relations == 0;
}

/// <summary>How pg_restore is run.</summary>
internal sealed record PgRestoreSettings(string PgRestore, bool NoOwner, int Jobs);

/// <summary>
/// The database side of a PostgreSQL restore, shared by postgres.restore and restore.drill: the
/// guard rails (never the connection's own database without confirmation, never a non-empty
/// database without clean), CREATE DATABASE through the maintenance database, the guide's
/// <c>gunzip -c | pg_restore --clean --if-exists</c> with a gunzip that checks every CRC, and the
/// figures of the restored tables.
/// </summary>
internal sealed partial class PostgresRestorer(StepContext context, PostgresTarget server, string maintenanceDatabase)
{
    private const string RelationsQuery = """
        SELECT count(*)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
        """;

    /// <summary>A target must be a plain name: it is passed to pg_restore --dbname, where '=' or a URI would be read as a connection string.</summary>
    public static string? NameProblem(string name) =>
        DatabaseName().IsMatch(name)
            ? null
            : $"'{name}' is not a database name runbook restores into: use 1-63 letters, digits, _ or -, starting with a letter or _";

    /// <summary>The guard rail against restoring over production by accident.</summary>
    public static void RefuseProduction(PostgresTarget connection, string target, bool confirmed)
    {
        if (string.Equals(target, connection.Database, StringComparison.Ordinal) && !confirmed)
        {
            throw new StepFailedException($"refusing to restore into {target}: it is the connection's own database ({connection.Display}), the production database. Restore into another database (the target option, e.g. --var target={target}_restored), or set confirm_overwrite_production: true if replacing production is really intended");
        }
    }

    /// <summary>The guide's restore drops and recreates the dump's objects (--clean); an unexpected non-empty target is refused instead.</summary>
    public static void RefuseNonEmpty(TargetState state, string target, PostgresTarget connection, bool clean)
    {
        if (state.Exists && !state.IsEmpty && !clean)
        {
            throw new StepFailedException($"refusing to restore into {target} on {connection.Host}:{connection.Port}: it exists and holds {state.Relations} relation(s). Choose a new database name, or set clean: true to drop and recreate the dump's objects in it (pg_restore --clean --if-exists, as in the guide)");
        }
    }

    public async Task<TargetState> InspectAsync(string target, CancellationToken cancellationToken)
    {
        await using (var admin = await server.WithDatabase(maintenanceDatabase).OpenAsync(cancellationToken))
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", admin);
            exists.Parameters.AddWithValue("name", target);
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                return new TargetState(false, 0);
            }
        }

        await using var connection = await server.WithDatabase(target).OpenAsync(cancellationToken);
        await using var count = new NpgsqlCommand(RelationsQuery, connection);
        return new TargetState(true, (long)(await count.ExecuteScalarAsync(cancellationToken))!);
    }

    /// <summary>CREATE DATABASE from template0 (an empty database, as the pg_dump documentation advises for restores).</summary>
    public async Task CreateAsync(string target, CancellationToken cancellationToken)
    {
        await using var admin = await server.WithDatabase(maintenanceDatabase).OpenAsync(cancellationToken);
        await using var create = new NpgsqlCommand($"CREATE DATABASE {TableInventory.Quote(target)} TEMPLATE template0", admin);
        try
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex)
        {
            throw new StepFailedException($"cannot create the database {target} on {server.Host}:{server.Port}: {ex.MessageText} (the connection's user needs CREATEDB)", ex);
        }

        context.Log.Information("  created database {Target} on {Host}:{Port}", target, server.Host, server.Port);
    }

    /// <summary>Drops a database this run created (a drill's scratch copy), closing other sessions on it.</summary>
    public async Task DropAsync(string target, CancellationToken cancellationToken)
    {
        await using var admin = await server.WithDatabase(maintenanceDatabase).OpenAsync(cancellationToken);
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {TableInventory.Quote(target)} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync(cancellationToken);
        context.Log.Information("  dropped database {Target}", target);
    }

    /// <summary>
    /// Runs pg_restore into <paramref name="target"/>: a .sql.gz is decompressed here (every gzip
    /// member's CRC and length checked) into pg_restore's input and restored in one transaction,
    /// so a failure leaves the target as it was; a directory-format dump is restored with -j jobs.
    /// The file's SHA-256 is computed again while it is read and must equal <paramref name="verifiedSha256"/>.
    /// </summary>
    public async Task<double> RestoreAsync(FetchedBackup backup, string target, PgRestoreSettings settings, string? verifiedSha256, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var spec = Spec(backup, target, settings);
        context.Log.Information("  restoring into {Target}: {Command}", target, (backup.IsDirectory ? string.Empty : "gunzip -c " + backup.Path + " | ") + spec.Display);
        using var child = ChildProcess.Start(spec, line => context.Log.Warning("  pg_restore: {Line}", line), redirectInput: !backup.IsDirectory);
        var drain = child.StandardOutput.CopyToAsync(Stream.Null, CancellationToken.None);
        string? feedProblem = null;
        if (!backup.IsDirectory)
        {
            feedProblem = await FeedAsync(backup.Path, child.StandardInput, verifiedSha256, child, cancellationToken);
        }

        var exitCode = await child.WaitForExitAsync(cancellationToken);
        await drain;
        if (feedProblem is not null)
        {
            throw new StepFailedException($"restoring {backup.Path} into {target} failed: {feedProblem}");
        }

        if (exitCode != 0)
        {
            var transaction = backup.IsDirectory ? $"; a directory-format restore runs in {settings.Jobs} jobs, not one transaction, so {target} may hold part of the data: drop it or restore again with clean: true" : $"; it ran in one transaction, so nothing of it was committed to {target}";
            throw new StepFailedException($"pg_restore into {target} failed with exit code {exitCode}: {child.ErrorSummary()}{transaction}");
        }

        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Every user table of the restored database, with its row count and optionally its content checksum.</summary>
    public async Task<IReadOnlyList<TableFigures>> MeasureAsync(string target, bool checksums, CancellationToken cancellationToken)
    {
        await using var connection = await server.WithDatabase(target).OpenAsync(cancellationToken, commandTimeoutSeconds: 0);
        var figures = new List<TableFigures>();
        foreach (var (schema, table) in await TableInventory.ListAsync(connection, DumpSelection.Everything, cancellationToken))
        {
            figures.Add(await TableInventory.MeasureAsync(connection, schema, table, checksums, cancellationToken));
        }

        return figures;
    }

    private ProcessSpec Spec(FetchedBackup backup, string target, PgRestoreSettings settings)
    {
        // The guide's command: pg_restore -d <db> --clean --if-exists. Dropping objects that do not
        // exist yet is harmless in a new database, and the same command then serves clean: true.
        var arguments = new List<string> { "--no-password", "--dbname=" + target, "--clean", "--if-exists", "--exit-on-error" };
        if (settings.NoOwner)
        {
            arguments.Add("--no-owner");
        }

        if (backup.IsDirectory)
        {
            arguments.Add("--jobs=" + settings.Jobs.ToString(CultureInfo.InvariantCulture));
            arguments.Add(backup.Path);
        }
        else
        {
            // Read from a pipe, pg_restore cannot run jobs in parallel; one transaction instead
            // means a failed restore commits nothing.
            arguments.Add("--single-transaction");
        }

        return new ProcessSpec(settings.PgRestore, arguments) { Environment = server.WithDatabase(target).ClientEnvironment() };
    }

    /// <summary>Streams the decompressed dump into pg_restore; a problem is returned (and pg_restore killed so its transaction rolls back).</summary>
    private static async Task<string?> FeedAsync(string file, Stream input, string? verifiedSha256, ChildProcess child, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long written = 0;
        try
        {
            await using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using var hashing = new HashingReadStream(source, hash);
            await using var gunzip = new VerifyingGzipStream(hashing);
            var buffer = new byte[1 << 20];
            int read;
            while ((read = await gunzip.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await input.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                written += read;
            }

            var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (verifiedSha256 is not null && !string.Equals(sha256, verifiedSha256, StringComparison.OrdinalIgnoreCase))
            {
                child.Kill();
                return $"{file} changed while it was being restored (SHA-256 {sha256}, verified as {verifiedSha256}); pg_restore was stopped, check the target";
            }
        }
        catch (InvalidDataException ex)
        {
            child.Kill();
            return $"the gzip data is corrupt after {written} bytes ({ex.Message}); pg_restore was stopped before committing";
        }
        catch (IOException)
        {
            // pg_restore stopped reading: it exited, and its exit code and messages say why.
        }
        finally
        {
            try
            {
                input.Close();
            }
            catch (IOException)
            {
                // Already exited.
            }
        }

        return null;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]{0,62}$")]
    private static partial Regex DatabaseName();
}
