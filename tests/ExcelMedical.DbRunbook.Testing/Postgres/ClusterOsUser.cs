using ExcelMedical.DbRunbook.Testing.Support;

namespace ExcelMedical.DbRunbook.Testing.Postgres;

/// <summary>
/// Runs the cluster's programs as the right OS user. PostgreSQL refuses to run as root, so when
/// the tests run as root (CI does) initdb, pg_ctl and the server run as the "postgres" user that
/// the Debian package creates; otherwise they run as the current user.
/// </summary>
internal sealed class ClusterOsUser
{
    private const string PostgresUser = "postgres";

    private static readonly string[] RunUserCandidates = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"];

    private readonly string? _runUser;

    private ClusterOsUser(string? runUser) => _runUser = runUser;

    public static ClusterOsUser Current { get; } = new(CurrentUser.IsRoot ? FindRunUser() : null);

    public bool SwitchesUser => _runUser is not null;

    public Task<ProcessResult> RunAsync(string program, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout) =>
        _runUser is null
            ? ProcessRunner.RunAsync(program, arguments, workingDirectory: workingDirectory, timeout: timeout)
            : ProcessRunner.RunAsync(_runUser, ["-u", PostgresUser, "--", program, .. arguments], workingDirectory: workingDirectory, timeout: timeout);

    /// <summary>
    /// Gives the cluster's folder to the user that runs the server, and checks that user can reach it
    /// (a TMPDIR inside /root, say, is not traversable by "postgres").
    /// </summary>
    public async Task<bool> TakeOverAsync(string directory)
    {
        if (_runUser is null)
        {
            return true;
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        (await ProcessRunner.RunAsync("chown", ["-R", $"{PostgresUser}:", directory])).EnsureSuccess();
        var probe = await RunAsync("test", ["-w", directory, "-a", "-x", directory], "/", TimeSpan.FromSeconds(30));
        return probe.Succeeded;
    }

    /// <summary>Makes a file in the cluster's folder the server user's (a TLS key the server must read, 0600).</summary>
    public async Task GiveAsync(string file)
    {
        if (_runUser is not null)
        {
            (await ProcessRunner.RunAsync("chown", [$"{PostgresUser}:", file])).EnsureSuccess();
        }
    }

    private static string FindRunUser()
    {
        if (!File.ReadLines("/etc/passwd").Any(line => line.StartsWith(PostgresUser + ":", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException(
                "the tests run as root, so the PostgreSQL test cluster must run as the OS user 'postgres', which does not exist: "
                + "install the Debian package postgresql (it creates the user), or run the tests as a normal user");
        }

        return RunUserCandidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("the tests run as root but runuser (util-linux) was not found to run PostgreSQL as 'postgres'");
    }
}
