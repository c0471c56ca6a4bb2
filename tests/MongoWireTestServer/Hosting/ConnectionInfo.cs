using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Hosting;

/// <summary>What the server knows about one client connection (for hello, currentOp, whatsmyuri).</summary>
internal sealed class ConnectionInfo(int id, string client)
{
    public int Id { get; } = id;

    /// <summary>The client's address as "ip:port".</summary>
    public string Client { get; } = client;

    /// <summary>The "client" document sent in the first hello, if any.</summary>
    public BsonDocument? ClientMetadata { get; set; }

    public string? AppName =>
        ClientMetadata?.GetValue("application", BsonNull.Value) is BsonDocument application
        && application.TryGetValue("name", out var name) && name.IsString
            ? name.AsString
            : null;
}
