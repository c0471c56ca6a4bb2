using System.Text;
using ExcelMedical.DbRunbook.MongoWireTestServer.Commands;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Storage;

/// <summary>
/// All databases of the server. One lock guards everything: commands are in-memory and
/// short, so a single lock keeps the model simple while many connections run at once.
/// </summary>
internal sealed class InMemoryStore
{
    private readonly Dictionary<string, InMemoryDatabase> databases = new(StringComparer.Ordinal);

    public Lock SyncRoot { get; } = new();

    /// <summary>Databases that exist, i.e. hold at least one collection (as in mongod).</summary>
    public IEnumerable<InMemoryDatabase> Databases =>
        databases.Values.Where(d => d.CollectionCount > 0).OrderBy(d => d.Name, StringComparer.Ordinal);

    public InMemoryDatabase? FindDatabase(string name) =>
        databases.TryGetValue(name, out var database) && database.CollectionCount > 0 ? database : null;

    public InMemoryCollection? FindCollection(string databaseName, string collectionName) =>
        FindDatabase(databaseName)?.Find(collectionName);

    public InMemoryDatabase GetOrAddDatabase(string name)
    {
        if (!databases.TryGetValue(name, out var database))
        {
            ValidateDatabaseName(name);
            database = new InMemoryDatabase(name);
            databases.Add(name, database);
        }

        return database;
    }

    public InMemoryCollection GetOrCreateCollection(string databaseName, string collectionName, out bool created) =>
        GetOrAddDatabase(databaseName).GetOrCreate(collectionName, out created);

    public bool DropDatabase(string name) => databases.Remove(name);

    private static void ValidateDatabaseName(string name)
    {
        if (name.Length == 0 || Encoding.UTF8.GetByteCount(name) >= 64 || name.IndexOfAny(['/', '\\', '.', ' ', '"', '$', '\0']) >= 0)
        {
            throw new MongoCommandError(ErrorCodes.InvalidNamespace, $"Invalid database name: '{name}'");
        }
    }

    /// <summary>Stands up what a fresh mongod has: admin.system.version, local.startup_log, config.system.sessions.</summary>
    public void SeedSystemDatabases(string host, DateTimeOffset startedAt)
    {
        GetOrCreateCollection("admin", "system.version", out _)
            .Insert(new BsonDocument { { "_id", "featureCompatibilityVersion" }, { "version", "6.0" } });
        GetOrCreateCollection("config", "system.sessions", out _);
        GetOrCreateCollection("local", "startup_log", out _).Insert(new BsonDocument
        {
            { "_id", $"{host}-{startedAt.ToUnixTimeMilliseconds()}" },
            { "hostname", host },
            { "startTime", new BsonDateTime(startedAt.UtcDateTime) },
            { "pid", (long)Environment.ProcessId },
        });
    }
}
