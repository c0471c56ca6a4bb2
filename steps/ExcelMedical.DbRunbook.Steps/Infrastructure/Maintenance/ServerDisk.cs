using System.Net;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;
using Npgsql;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Maintenance;

/// <summary>
/// Free space on the disk that holds a table, when runbook can see it: on the database server
/// itself (or with the data directory's mount given as an option). PostgreSQL has no SQL function
/// for free disk, so a remote server's disk is unknown, and callers say so.
/// </summary>
internal sealed class ServerDisk(PostgresTarget target, string? configuredDataDirectory)
{
    private const string TablespaceSql = """
        SELECT pg_tablespace_location(CASE WHEN c.reltablespace = 0
                                           THEN (SELECT dattablespace FROM pg_database WHERE datname = current_database())
                                           ELSE c.reltablespace END)
        FROM pg_class c WHERE c.oid = @oid
        """;

    private string? _dataDirectory;
    private bool _dataDirectoryRead;

    public bool IsLocal => IsLocalHost(target.Host);

    /// <summary>The folder holding the table on this machine, or null with the reason it cannot be known.</summary>
    public async Task<(string? Folder, string? Why)> FolderOfAsync(NpgsqlConnection connection, uint table, CancellationToken cancellationToken)
    {
        var location = await PostgresMaintenance.ScalarAsync<string?>(connection, TablespaceSql, cancellationToken, ("oid", table));
        if (!string.IsNullOrEmpty(location))
        {
            return IsLocal && Directory.Exists(location)
                ? (location, null)
                : (null, $"its tablespace {location} is not on this machine");
        }

        if (configuredDataDirectory is not null)
        {
            return Directory.Exists(configuredDataDirectory)
                ? (configuredDataDirectory, null)
                : (null, $"data_directory {configuredDataDirectory} does not exist on this machine");
        }

        if (!IsLocal)
        {
            return (null, $"the server {target.Host} is not this machine");
        }

        var dataDirectory = await DataDirectoryAsync(connection, cancellationToken);
        return dataDirectory is null
            ? (null, "the server's data_directory setting is not readable by this user (needs pg_read_all_settings)")
            : Directory.Exists(dataDirectory) ? (dataDirectory, null) : (null, $"the data directory {dataDirectory} is not on this machine");
    }

    private async Task<string?> DataDirectoryAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (!_dataDirectoryRead)
        {
            _dataDirectoryRead = true;
            try
            {
                _dataDirectory = await PostgresMaintenance.ScalarAsync<string?>(connection, "SELECT current_setting('data_directory')", cancellationToken);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                _dataDirectory = null;
            }
        }

        return _dataDirectory;
    }

    private static bool IsLocalHost(string host)
    {
        if (host.StartsWith('/') || string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || string.Equals(host, Environment.MachineName, StringComparison.OrdinalIgnoreCase)
            || string.Equals(host, Dns.GetHostName(), StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address);
    }
}
