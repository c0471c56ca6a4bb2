using System.Globalization;

namespace ExcelMedical.DbRunbook.Testing.Postgres;

/// <summary>
/// The PostgreSQL server and client programs of one major version. Debian's packages put them in
/// /usr/lib/postgresql/&lt;major&gt;/bin, which is not on PATH, so they are looked up there.
/// </summary>
public sealed class PostgresBinaries
{
    /// <summary>Points at a bin directory explicitly (another layout, another version).</summary>
    public const string OverrideVariable = "RUNBOOK_TEST_PG_BIN";

    private const string DebianRoot = "/usr/lib/postgresql";

    private static readonly Lazy<PostgresBinaries> Located = new(Locate);

    private PostgresBinaries(string binDirectory, int? majorVersion)
    {
        BinDirectory = binDirectory;
        MajorVersion = majorVersion;
    }

    /// <summary>The highest installed version (or the override); throws a setup hint when there is none.</summary>
    public static PostgresBinaries Default => Located.Value;

    public string BinDirectory { get; }

    /// <summary>The major version taken from the Debian path; null for an override directory.</summary>
    public int? MajorVersion { get; }

    public string InitDb => Tool("initdb");

    public string PgCtl => Tool("pg_ctl");

    public string Psql => Tool("psql");

    public string PgDump => Tool("pg_dump");

    public string PgRestore => Tool("pg_restore");

    /// <summary>The full path of a program in <see cref="BinDirectory"/>, e.g. "pg_dumpall".</summary>
    public string Tool(string name) => Path.Combine(BinDirectory, name);

    private static PostgresBinaries Locate()
    {
        var overridden = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrWhiteSpace(overridden))
        {
            return File.Exists(Path.Combine(overridden, "initdb")) || File.Exists(Path.Combine(overridden, "psql"))
                ? new PostgresBinaries(overridden, null)
                : throw new InvalidOperationException($"{OverrideVariable}={overridden} holds neither initdb nor psql");
        }

        var highest = Directory.Exists(DebianRoot)
            ? Directory.EnumerateDirectories(DebianRoot)
                .Select(directory => (Directory: directory, Major: ParseMajor(Path.GetFileName(directory))))
                .Where(candidate => candidate.Major is not null && File.Exists(Path.Combine(candidate.Directory, "bin", "initdb")))
                .OrderByDescending(candidate => candidate.Major)
                .FirstOrDefault()
            : default;

        return highest.Directory is null
            ? throw new InvalidOperationException(
                $"PostgreSQL binaries not found under {DebianRoot}/*/bin: install the Debian package postgresql "
                + $"(apt-get install postgresql), or set {OverrideVariable} to a directory holding initdb and pg_ctl")
            : new PostgresBinaries(Path.Combine(highest.Directory, "bin"), highest.Major);
    }

    private static int? ParseMajor(string name) =>
        int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : null;
}
