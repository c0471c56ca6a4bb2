using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Steps;
using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;

/// <summary>
/// The TLS settings of a PostgreSQL connection in libpq's words (<c>sslmode</c>,
/// <c>sslrootcert</c>, <c>sslcert</c>, <c>sslkey</c>), given as they are to pg_dump and mapped to
/// Npgsql's for in-process connections, so that both verify the server alike. Npgsql's enum does
/// not parse libpq's spellings (<c>verify-full</c>); before this mapping such a mode was dropped
/// and the connection accepted any certificate.
/// </summary>
internal sealed record PostgresTls(string? Mode, string? RootCertificate, string? ClientCertificate, string? ClientKey)
{
    public static PostgresTls From(ConnectionSettings connection)
    {
        var mode = connection.Get("sslmode")?.Trim();
        if (mode is not null && !PostgresSslModes.All.Contains(mode, StringComparer.Ordinal))
        {
            throw new StepFailedException($"connection '{connection.Name}': sslmode '{mode}' is not one of {string.Join(", ", PostgresSslModes.All)} (libpq's names)");
        }

        return new PostgresTls(mode, connection.Get("sslrootcert"), connection.Get("sslcert"), connection.Get("sslkey"));
    }

    public void Apply(NpgsqlConnectionStringBuilder builder)
    {
        builder.SslMode = Mode switch
        {
            null => builder.SslMode,
            "disable" => SslMode.Disable,
            "allow" => SslMode.Allow,
            "prefer" => SslMode.Prefer,

            // libpq: "require" with a root certificate file verifies the chain like verify-ca; Npgsql's Require would not.
            "require" when RootCertificate is not null => SslMode.VerifyCA,
            "require" => SslMode.Require,
            "verify-ca" => SslMode.VerifyCA,
            "verify-full" => SslMode.VerifyFull,
            _ => throw new InvalidOperationException($"unmapped sslmode '{Mode}'"),
        };

        // libpq's "system" means the operating system's trust store, which is what Npgsql uses without a root certificate.
        if (RootCertificate is not null && RootCertificate != "system")
        {
            builder.RootCertificate = RootCertificate;
        }

        if (ClientCertificate is not null)
        {
            builder.SslCertificate = ClientCertificate;
        }

        if (ClientKey is not null)
        {
            builder.SslKey = ClientKey;
        }
    }

    /// <summary>libpq's variables for pg_dump, pg_restore and psql.</summary>
    public IEnumerable<KeyValuePair<string, string>> ClientEnvironment()
    {
        if (Mode is not null)
        {
            yield return new("PGSSLMODE", Mode);
        }

        if (RootCertificate is not null)
        {
            yield return new("PGSSLROOTCERT", RootCertificate);
        }

        if (ClientCertificate is not null)
        {
            yield return new("PGSSLCERT", ClientCertificate);
        }

        if (ClientKey is not null)
        {
            yield return new("PGSSLKEY", ClientKey);
        }
    }
}
