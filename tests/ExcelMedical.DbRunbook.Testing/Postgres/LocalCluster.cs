using System.Globalization;
using System.Security.Cryptography;
using ExcelMedical.DbRunbook.Testing.Support;

namespace ExcelMedical.DbRunbook.Testing.Postgres;

/// <summary>
/// A throwaway PostgreSQL cluster in a temporary folder: initdb, start on a free loopback port,
/// stop, delete. Layout: data/ (PGDATA), run/ (unix socket), postgres.log.
/// </summary>
internal sealed class LocalCluster
{
    private const string FolderPrefix = "runbook-pg-";

    // Run by the orphan watchdog if the test process dies first: fast shutdown (SIGINT) of the
    // postmaster named in postmaster.pid, provided that pid still is a postgres process, then kill.
    private const string OrphanCleanup = """
        pid=$(head -n 1 "$folder/data/postmaster.pid" 2>/dev/null)
        if [ -n "$pid" ] && [ "$(cat /proc/$pid/comm 2>/dev/null)" = postgres ]; then
            kill -INT "$pid"
            i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
            kill -KILL "$pid" 2>/dev/null
        fi
        """;

    private const int StartAttempts = 5;

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private readonly PostgresBinaries _binaries;
    private readonly ClusterOsUser _osUser;

    private LocalCluster(PostgresBinaries binaries, ClusterOsUser osUser, string rootDirectory)
    {
        _binaries = binaries;
        _osUser = osUser;
        RootDirectory = rootDirectory;
    }

    public string RootDirectory { get; }

    public string DataDirectory => Path.Combine(RootDirectory, "data");

    public string SocketDirectory => Path.Combine(RootDirectory, "run");

    public string LogFile => Path.Combine(RootDirectory, "postgres.log");

    public int Port { get; private set; }

    /// <summary>The postmaster's pid from postmaster.pid; null when the server is not running.</summary>
    public int? ServerProcessId
    {
        get
        {
            var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
            try
            {
                var firstLine = File.ReadLines(pidFile).FirstOrDefault();
                return int.TryParse(firstLine, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    /// <summary>Creates the folder and runs initdb with a password-protected superuser.</summary>
    public static async Task<LocalCluster> InitAsync(PostgresBinaries binaries, string superUser, string password)
    {
        var osUser = ClusterOsUser.Current;
        var cluster = new LocalCluster(binaries, osUser, await CreateRootDirectoryAsync(osUser));
        try
        {
            await cluster.InitDbAsync(superUser, password);
            return cluster;
        }
        catch
        {
            cluster.Delete();
            throw;
        }
    }

    /// <summary>Starts the server, choosing another port when the chosen one was taken meanwhile.</summary>
    public async Task StartAsync()
    {
        ProcessResult? lastFailure = null;
        for (var attempt = 0; attempt < StartAttempts; attempt++)
        {
            Port = FreePort.Next();
            var result = await RunPgCtlAsync(["start", "-w", "-t", "60", "-l", LogFile, "-o", $"-p {Port}"]);
            if (result.Succeeded)
            {
                return;
            }

            lastFailure = result;
            if (!LogTail().Contains("Address already in use", StringComparison.Ordinal))
            {
                break;
            }
        }

        throw new InvalidOperationException($"PostgreSQL did not start: {lastFailure?.Describe()}\n--- {LogFile} ---\n{LogTail()}");
    }

    /// <summary>
    /// Puts a TLS certificate and key where the server looks by default (server.crt and
    /// server.key in PGDATA), owner-only and owned by the server's user, as PostgreSQL demands.
    /// </summary>
    public async Task InstallTlsAsync(string certificatePem, string privateKeyPem)
    {
        foreach (var (name, contents) in new[] { ("server.crt", certificatePem), ("server.key", privateKeyPem) })
        {
            var path = Path.Combine(DataDirectory, name);
            await File.WriteAllTextAsync(path, contents);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            await _osUser.GiveAsync(path);
        }
    }

    /// <summary>Stops the server: fast shutdown, then immediate, then kill; waits until the postmaster is gone.</summary>
    public async Task StopAsync()
    {
        var pid = ServerProcessId;
        if (pid is null || !ProcessLiveness.IsRunning(pid.Value))
        {
            return;
        }

        foreach (var mode in new[] { "fast", "immediate" })
        {
            await RunPgCtlAsync(["stop", "-w", "-t", "30", "-m", mode]);
            if (await Polling.UntilAsync(() => !ProcessLiveness.IsRunning(pid.Value), TimeSpan.FromSeconds(5)))
            {
                return;
            }
        }

        // Root may signal the postgres user's processes, and a user may signal its own.
        await ProcessRunner.RunAsync("kill", ["-KILL", pid.Value.ToString(CultureInfo.InvariantCulture)]);
        await Polling.UntilAsync(() => !ProcessLiveness.IsRunning(pid.Value), TimeSpan.FromSeconds(10));
    }

    public void Delete() => DeleteDirectory(RootDirectory);

    private static void DeleteDirectory(string directory)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }

                return;
            }
            catch (IOException) when (attempt < 5)
            {
                // A process that just stopped may still be removing its own files.
                Thread.Sleep(200);
            }
        }
    }

    private static async Task<string> CreateRootDirectoryAsync(ClusterOsUser osUser)
    {
        // Fall back to /tmp when TMPDIR is somewhere the postgres user cannot reach.
        foreach (var parent in TemporaryParents())
        {
            var root = Path.Combine(parent, FolderPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
            Directory.CreateDirectory(Path.Combine(root, "run"));
            if (await osUser.TakeOverAsync(root))
            {
                OrphanWatchdog.Arm(root, OrphanCleanup);
                return root;
            }

            DeleteDirectory(root);
        }

        throw new InvalidOperationException(
            $"the OS user 'postgres' cannot reach a temporary folder under {Path.GetTempPath()} or /tmp: set TMPDIR to a folder it can traverse");
    }

    private static IEnumerable<string> TemporaryParents() =>
        new[] { Path.GetTempPath(), "/tmp" }.Select(Path.TrimEndingDirectorySeparator).Distinct();

    private async Task InitDbAsync(string superUser, string password)
    {
        // initdb reads the password from a file; it lives only until initdb is done.
        var passwordFile = Path.Combine(RootDirectory, "pwfile");
        await File.WriteAllTextAsync(passwordFile, password + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        await _osUser.TakeOverAsync(RootDirectory);
        try
        {
            var result = await _osUser.RunAsync(
                _binaries.InitDb,
                [
                    "-D", DataDirectory,
                    "--username", superUser,
                    "--pwfile", passwordFile,
                    "--auth", "scram-sha-256",
                    "--encoding", "UTF8",
                    "--locale", "C.UTF-8",
                    "--no-sync",
                    "--no-instructions",
                ],
                RootDirectory,
                CommandTimeout);
            result.EnsureSuccess();
        }
        finally
        {
            File.Delete(passwordFile);
        }

        // Appended settings win over initdb's defaults earlier in the file.
        await File.AppendAllTextAsync(Path.Combine(DataDirectory, "postgresql.conf"), $"""

            # Throwaway test cluster (ExcelMedical.DbRunbook.Testing)
            listen_addresses = '127.0.0.1'
            unix_socket_directories = '{SocketDirectory.Replace("'", "''", StringComparison.Ordinal)}'
            max_connections = 200
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            logging_collector = off

            """);
    }

    private Task<ProcessResult> RunPgCtlAsync(IReadOnlyList<string> arguments) =>
        _osUser.RunAsync(_binaries.PgCtl, ["-D", DataDirectory, .. arguments], RootDirectory, CommandTimeout);

    private string LogTail()
    {
        try
        {
            var lines = File.ReadAllLines(LogFile);
            return string.Join('\n', lines.TakeLast(30));
        }
        catch (IOException)
        {
            return "(no server log)";
        }
    }
}
