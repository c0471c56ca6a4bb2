using ExcelMedical.DbRunbook.MongoWireTestServer.Diagnostics;
using ExcelMedical.DbRunbook.MongoWireTestServer.Hosting;
using ExcelMedical.DbRunbook.MongoWireTestServer.Storage;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>One command being executed: its document, target database, connection and the shared server state.</summary>
internal sealed class CommandContext(BsonDocument command, string database, ConnectionInfo connection, ServerState server, ActiveOperation operation)
{
    public BsonDocument Command { get; } = command;

    public string Database { get; } = database;

    public ConnectionInfo Connection { get; } = connection;

    public ServerState Server { get; } = server;

    public ActiveOperation Operation { get; } = operation;

    public string Name => Command.GetElement(0).Name;

    /// <summary>The value of the command's first field ({find: "orders"} → "orders").</summary>
    public BsonValue Argument => Command[0];

    public InMemoryStore Store => Server.Store;

    public DateTimeOffset Now => Server.Clock.GetUtcNow();

    /// <summary>The collection a collection-level command names.</summary>
    public string CollectionName =>
        Argument is BsonString name && name.Value.Length > 0
            ? name.Value
            : throw new MongoCommandError(
                ErrorCodes.InvalidNamespace,
                $"collection name has invalid type {Argument.BsonType}");

    public string Namespace => $"{Database}.{CollectionName}";

    public InMemoryCollection? FindCollection() => Store.FindCollection(Database, CollectionName);

    public void RequireAdminDatabase()
    {
        if (Database != "admin")
        {
            throw new MongoCommandError(ErrorCodes.Unauthorized, $"{Name} may only be run against the admin database.");
        }
    }
}
