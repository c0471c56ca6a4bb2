using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Secrets;
using ExcelMedical.DbRunbook.Engine.Steps;
using MongoDB.Bson;
using MongoDB.Driver;
using ConnectionStringScheme = MongoDB.Driver.Core.Configuration.ConnectionStringScheme;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Mongo;

/// <summary>
/// One MongoDB database from a playbook connection's <c>uri</c> (the guide's MONGO_URI). The
/// password is registered with the secret masker as soon as the URI is read, and
/// <see cref="Display"/> never contains it.
/// </summary>
internal sealed class MongoTarget
{
    private const string ApplicationName = "runbook";

    private MongoTarget(MongoUrl url, string database, string display)
    {
        Url = url;
        Database = database;
        Display = display;
    }

    public MongoUrl Url { get; }

    public string Database { get; }

    /// <summary>mongodb://user@host:port/database, without password or options, for logs, plans and errors.</summary>
    public string Display { get; }

    public static MongoTarget From(ConnectionSettings connection, string? databaseOverride, SecretMasker secrets)
    {
        var uri = connection.Get("uri") ?? connection.Get("url")
            ?? throw new StepFailedException($"connection '{connection.Name}' has no uri: set 'uri' (e.g. \"{{{{ env.MONGO_URI }}}}\", mongodb://user:password@host:27017/excel_medical)");
        MongoUrl url;
        try
        {
            url = MongoUrl.Create(uri);
        }
        catch (Exception ex) when (ex is MongoConfigurationException or FormatException or ArgumentException)
        {
            throw new StepFailedException($"connection '{connection.Name}': the uri is not a MongoDB connection string ({secrets.Apply(ex.Message)}); expected mongodb://user:password@host:27017/database");
        }

        secrets.Add(url.Password);
        var database = databaseOverride ?? url.DatabaseName
            ?? throw new StepFailedException($"connection '{connection.Name}' names no database: put it in the uri's path (mongodb://host:27017/excel_medical) or set the step's database option");
        return new MongoTarget(url, database, DisplayOf(url, database));
    }

    /// <summary>A client that gives up on an unreachable server after <paramref name="serverSelectionTimeout"/>.</summary>
    public MongoClient CreateClient(TimeSpan serverSelectionTimeout)
    {
        var settings = MongoClientSettings.FromUrl(Url);
        settings.ServerSelectionTimeout = serverSelectionTimeout;
        settings.ConnectTimeout = serverSelectionTimeout;
        settings.ApplicationName ??= ApplicationName;
        return new MongoClient(settings);
    }

    /// <summary>Pings the database, turning the driver's failures into messages that say what to fix.</summary>
    public async Task PingAsync(IMongoClient client, TimeSpan serverSelectionTimeout, SecretMasker secrets, CancellationToken cancellationToken)
    {
        try
        {
            await client.GetDatabase(Database).RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException)
        {
            throw Failure(client, ex, "ping", serverSelectionTimeout, secrets);
        }
    }

    /// <summary>
    /// A driver failure while <paramref name="doing"/> something, explained: "cannot connect to
    /// MongoDB …" when the server is unreachable or refuses the credentials, else what failed.
    /// </summary>
    public StepFailedException Failure(IMongoClient client, Exception ex, string doing, TimeSpan serverSelectionTimeout, SecretMasker secrets)
    {
        // The explanation replaces the driver's message (a timeout's is a page of cluster state and
        // stack traces), so the driver's exception is not chained into what the operator sees.
        var connecting = ex is TimeoutException or MongoConnectionException or MongoAuthenticationException;
        var explanation = secrets.Apply(Explain(client, ex, serverSelectionTimeout));
        return connecting
            ? new StepFailedException($"cannot connect to MongoDB {Display}: {explanation}")
            : new StepFailedException($"{doing} failed on MongoDB {Display}: {explanation}");
    }

    private string Explain(IMongoClient client, Exception ex, TimeSpan serverSelectionTimeout) => ex switch
    {
        MongoAuthenticationException => $"authentication failed for user '{Url.Username}' (check the user name and password in the uri, e.g. MONGO_URI, and authSource)",
        MongoCommandException { Code: 13 } command => $"{command.ErrorMessage} (the user needs the 'backup' role or read access to {Database})",
        TimeoutException => $"no server answered within {serverSelectionTimeout.TotalSeconds:0.#} s ({HeartbeatReason(client) ?? "server selection timed out"}); is mongod running and reachable? check host and port in the uri",
        MongoConnectionException connection => $"{Innermost(connection).Message} (is mongod running and reachable? check host and port in the uri)",
        MongoCommandException command => command.ErrorMessage,
        _ => ex.Message,
    };

    /// <summary>Why the driver's monitor could not reach the servers, e.g. "Connection refused".</summary>
    private static string? HeartbeatReason(IMongoClient client)
    {
        var reasons = client.Cluster.Description.Servers
            .Select(server => server.HeartbeatException)
            .OfType<Exception>()
            .Select(exception => Innermost(exception).Message)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception;
    }

    private static string DisplayOf(MongoUrl url, string database)
    {
        var scheme = url.Scheme == ConnectionStringScheme.MongoDBPlusSrv ? "mongodb+srv" : "mongodb";
        var user = string.IsNullOrEmpty(url.Username) ? string.Empty : Uri.EscapeDataString(url.Username) + "@";
        var hosts = string.Join(',', url.Servers.Select(server => url.Scheme == ConnectionStringScheme.MongoDBPlusSrv ? server.Host : $"{server.Host}:{server.Port}"));
        return $"{scheme}://{user}{hosts}/{database}";
    }
}
