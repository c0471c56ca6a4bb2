using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;
using ExcelMedical.DbRunbook.Testing.Postgres;
using ExcelMedical.DbRunbook.Testing.Support;
using ExcelMedical.DbRunbook.Tests.Support;
using Npgsql;

namespace ExcelMedical.DbRunbook.Tests.Backup;

/// <summary>
/// TLS to PostgreSQL as libpq means it, in-process (Npgsql) and in pg_dump alike: a cluster of
/// its own with ssl = on and a server certificate for "localhost" from a throwaway CA made here;
/// a second CA plays the attacker's.
/// </summary>
public sealed class PostgresTlsTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _dir = new();
    private PostgresServer _server = null!;
    private string _database = string.Empty;

    public async Task InitializeAsync()
    {
        var now = TimeProvider.System.GetUtcNow();
        using var ca = CertificateAuthority("runbook test CA", now);
        using var stranger = CertificateAuthority("someone else's CA", now);
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var serverCertificate = request.Create(ca, now.AddDays(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(8));

        _dir.Write("tls/ca.crt", ca.ExportCertificatePem());
        _dir.Write("tls/wrong-ca.crt", stranger.ExportCertificatePem());
        _server = await PostgresServer.StartLocalClusterAsync();
        await _server.EnableTlsAsync(serverCertificate.ExportCertificatePem(), serverKey.ExportPkcs8PrivateKeyPem());
        _database = await _server.CreateDatabaseAsync("tls");
        await using var connection = new NpgsqlConnection(_server.ConnectionString(_database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("CREATE TABLE nurses (id int PRIMARY KEY, name text); INSERT INTO nurses VALUES (1, 'a'), (2, 'b')", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _dir.Dispose();

    private static X509Certificate2 CertificateAuthority(string name, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(2));
    }

    private ConnectionSettings Connection(string host, string sslMode, string rootCertificate) => new("postgres", new Dictionary<string, string>
    {
        ["host"] = host,
        ["port"] = _server.Port.ToString(CultureInfo.InvariantCulture),
        ["user"] = _server.User,
        ["password"] = _server.Password,
        ["database"] = _database,
        ["sslmode"] = sslMode,
        ["sslrootcert"] = _dir[$"tls/{rootCertificate}"],
    });

    /// <summary>Opens an in-process connection as the steps do and says whether it is encrypted.</summary>
    private static async Task<bool> EncryptedAsync(ConnectionSettings settings)
    {
        await using var connection = await PostgresTarget.From(settings).OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", connection);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Runs the real pg_dump with exactly the environment the steps give it.</summary>
    private async Task<ProcessResult> PgDumpAsync(ConnectionSettings settings)
    {
        var environment = PostgresTarget.From(settings).ClientEnvironment();
        var arguments = string.Join(' ', environment.Select(pair => $"{pair.Key}='{pair.Value}'"));
        var result = await Shell.RunAsync($"env {arguments} '{_server.Binaries.PgDump}' --schema-only --file=/dev/null");
        return new ProcessResult("pg_dump", [], result.ExitCode, result.Output, result.Error);
    }

    [Fact]
    public async Task Verify_full_connects_in_process_with_the_right_root_and_refuses_a_wrong_one()
    {
        Assert.True(await EncryptedAsync(Connection("localhost", "verify-full", "ca.crt")));

        var wrongRoot = await Assert.ThrowsAsync<StepFailedException>(() => EncryptedAsync(Connection("localhost", "verify-full", "wrong-ca.crt")));
        Assert.Contains("cannot connect to PostgreSQL", wrongRoot.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_full_checks_the_host_name_and_verify_ca_only_the_chain_in_process()
    {
        // The certificate names "localhost", not 127.0.0.1.
        await Assert.ThrowsAsync<StepFailedException>(() => EncryptedAsync(Connection("127.0.0.1", "verify-full", "ca.crt")));
        Assert.True(await EncryptedAsync(Connection("127.0.0.1", "verify-ca", "ca.crt")));
        await Assert.ThrowsAsync<StepFailedException>(() => EncryptedAsync(Connection("127.0.0.1", "verify-ca", "wrong-ca.crt")));

        // As libpq: require with a root certificate verifies the chain.
        await Assert.ThrowsAsync<StepFailedException>(() => EncryptedAsync(Connection("127.0.0.1", "require", "wrong-ca.crt")));
    }

    [Fact]
    public async Task Pg_dump_gets_the_same_settings_and_verifies_the_same_way()
    {
        var right = await PgDumpAsync(Connection("localhost", "verify-full", "ca.crt"));
        Assert.True(right.Succeeded, right.StandardError);

        var wrong = await PgDumpAsync(Connection("localhost", "verify-full", "wrong-ca.crt"));
        Assert.False(wrong.Succeeded);
        Assert.Contains("certificate verify failed", wrong.StandardError, StringComparison.Ordinal);

        var wrongName = await PgDumpAsync(Connection("127.0.0.1", "verify-full", "ca.crt"));
        Assert.False(wrongName.Succeeded);
        Assert.Contains("does not match host name", wrongName.StandardError, StringComparison.Ordinal);
    }

    private string Playbook(string rootCertificate) => _dir.Write("tlsbackup.yaml", $$$"""
        name: tlsbackup
        connections:
          postgres:
            host: localhost
            port: "{{ env.PGPORT_TEST }}"
            user: "{{ env.PGUSER_TEST }}"
            password: "{{ env.PGPASSWORD_TEST }}"
            database: "{{ env.PGDB_TEST }}"
            sslmode: verify-full
            sslrootcert: tls/{{{rootCertificate}}}
        steps:
          - id: pg_dump
            uses: postgres.dump
            with:
              file: "{{ env.OUT }}/tls.sql.gz"
        """);

    private RunbookCliHarness Cli() => new(_dir["state"], new Dictionary<string, string>
    {
        ["PGPORT_TEST"] = _server.Port.ToString(CultureInfo.InvariantCulture),
        ["PGUSER_TEST"] = _server.User,
        ["PGPASSWORD_TEST"] = _server.Password,
        ["PGDB_TEST"] = _database,
        ["OUT"] = _dir["out"],
    });

    [Fact]
    public async Task A_backup_with_verify_full_and_a_root_certificate_beside_the_playbook_dumps_over_tls_and_a_wrong_root_fails_it()
    {
        var good = await Cli().RunAsync("run", Playbook("ca.crt"));
        Assert.True(good.ExitCode == 0, good.All);
        Assert.True(new FileInfo(_dir["out/tls.sql.gz"]).Length > 0);

        File.Delete(_dir["out/tls.sql.gz"]);
        var bad = await Cli().RunAsync("run", Playbook("wrong-ca.crt"));
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("cannot connect to PostgreSQL", bad.All, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir["out/tls.sql.gz"]));
    }

    [Fact]
    public async Task An_sslmode_libpq_does_not_know_is_a_validation_error_at_its_line()
    {
        var playbook = _dir.Write("typo.yaml", """
            name: typo
            connections:
              postgres:
                host: db.internal
                database: app
                sslmode: verify_full
            steps:
              - id: pg_dump
                uses: postgres.dump
                with: { file: /tmp/never.sql.gz }
            """);

        var result = await Cli().RunAsync("validate", playbook);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{playbook}:6:14: 'sslmode' of connection 'postgres' must be one of disable, allow, prefer, require, verify-ca, verify-full", result.All, StringComparison.Ordinal);
    }
}
