using ExcelMedical.DbRunbook.Testing.Postgres;
using ExcelMedical.DbRunbook.Testing.Support;
using Npgsql;
using Xunit;

namespace ExcelMedical.DbRunbook.Testing.Tests.Postgres;

public sealed class PostgresServerTests
{
    [Fact]
    public async Task Shared_server_answers_select_version()
    {
        var server = await PostgresServer.Shared;

        await using var connection = new NpgsqlConnection(server.ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT version()", connection);
        var version = (string?)await command.ExecuteScalarAsync();

        Assert.StartsWith("PostgreSQL ", version);
    }

    [Fact]
    public async Task Test_role_is_a_superuser()
    {
        var server = await PostgresServer.Shared;

        Assert.Equal(true, await ScalarAsync(server.ConnectionString(), "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"));
    }

    [Fact]
    public async Task Created_database_is_reachable_and_dropping_it_removes_it()
    {
        var server = await PostgresServer.Shared;

        var name = await server.CreateDatabaseAsync("Fixture Tests!");
        Assert.Matches("^fixture_tests_[0-9a-f]{12}$", name);
        Assert.Equal(name, await ScalarAsync(server.ConnectionString(name), "SELECT current_database()"));

        // A session left open must not block the drop.
        await using var open = new NpgsqlConnection(server.ConnectionString(name));
        await open.OpenAsync();
        await server.DropDatabaseAsync(name);

        Assert.Equal(0L, await ScalarAsync(server.ConnectionString(), $"SELECT count(*) FROM pg_database WHERE datname = '{name}'"));
    }

    [Fact]
    public async Task Client_environment_lets_psql_connect()
    {
        var server = await PostgresServer.Shared;
        var database = await server.CreateDatabaseAsync("psql_env");

        var result = await ProcessRunner.RunAsync(
            server.Binaries.Psql, ["-X", "-A", "-t", "-c", "SELECT current_database() || ' ' || current_user"], server.ClientEnvironment(database));

        Assert.Equal($"{database} {server.User}", result.EnsureSuccess().StandardOutput.Trim());
        await server.DropDatabaseAsync(database);
    }

    [Fact]
    public async Task Client_environment_sets_every_libpq_variable_pg_dump_needs()
    {
        var server = await PostgresServer.Shared;
        var database = await server.CreateDatabaseAsync("pg_dump_env");
        await SampleData.CreateSchemaAsync(server.ConnectionString(database));

        var environment = server.ClientEnvironment(database);
        var result = await ProcessRunner.RunAsync(server.Binaries.PgDump, ["--schema-only", "--no-owner"], environment);

        Assert.Equal(["PGDATABASE", "PGHOST", "PGPASSWORD", "PGPORT", "PGUSER"], environment.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(server.Password, environment["PGPASSWORD"]);
        Assert.Contains("CREATE TABLE public.audit_logs", result.EnsureSuccess().StandardOutput);
        await server.DropDatabaseAsync(database);
    }

    [Fact]
    public async Task Wrong_password_is_rejected()
    {
        var server = await PostgresServer.Shared;
        var wrong = new NpgsqlConnectionStringBuilder(server.ConnectionString()) { Password = "not-the-password", Pooling = false };

        var error = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(wrong.ConnectionString, "SELECT 1"));

        Assert.Equal(PostgresErrorCodes.InvalidPassword, error.SqlState);
    }

    [Fact]
    public async Task Local_cluster_listens_on_loopback_with_its_socket_in_its_own_folder()
    {
        var server = await PostgresServer.Shared;
        if (server.IsExternal)
        {
            return;
        }

        var connection = server.ConnectionString();
        var clusterFolder = Path.GetDirectoryName(server.DataDirectory)!;
        Assert.Equal("127.0.0.1", server.Host);
        Assert.Equal("127.0.0.1", await ScalarAsync(connection, "SELECT current_setting('listen_addresses')"));
        Assert.StartsWith(clusterFolder, (string?)await ScalarAsync(connection, "SELECT current_setting('unix_socket_directories')"));
        Assert.Equal("200", await ScalarAsync(connection, "SELECT current_setting('max_connections')"));
        Assert.Equal("off", await ScalarAsync(connection, "SELECT current_setting('fsync')"));
        Assert.Equal("scram-sha-256", await ScalarAsync(connection, "SELECT current_setting('password_encryption')"));
    }

    [Fact]
    public async Task Private_cluster_stops_cleanly_leaving_no_process_and_no_folder()
    {
        var server = await PostgresServer.StartLocalClusterAsync();
        var pid = server.ServerProcessId;
        var clusterFolder = Path.GetDirectoryName(server.DataDirectory)!;
        Assert.NotNull(pid);
        Assert.True(ProcessLiveness.IsRunning(pid.Value));
        Assert.Equal(1, await ScalarAsync(server.ConnectionString(), "SELECT 1"));
        if (CurrentUser.IsRoot)
        {
            // PostgreSQL refuses root, so as root the cluster must run as the postgres OS user.
            Assert.DoesNotContain(File.ReadLines($"/proc/{pid}/status"), line => line.StartsWith("Uid:\t0\t", StringComparison.Ordinal));
        }

        await server.DisposeAsync();

        Assert.False(ProcessLiveness.IsRunning(pid.Value), $"postmaster {pid} still runs");
        Assert.False(Directory.Exists(clusterFolder), $"{clusterFolder} was left behind");
        Assert.Null(server.ServerProcessId);
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
