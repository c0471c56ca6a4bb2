using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Diagnostics;

/// <summary>The command document a simulated operation shows in currentOp when the test supplies none.</summary>
internal static class SimulatedCommands
{
    /// <summary>The values currentOp's "op" takes in mongod 6.0.</summary>
    public static readonly IReadOnlySet<string> OpKinds = new HashSet<string>(StringComparer.Ordinal)
    {
        "query", "getmore", "insert", "update", "remove", "killcursors", "command", "none",
    };

    /// <summary>What a driver would have sent for that kind of operation on that collection.</summary>
    public static BsonDocument For(string op, string database, string collection)
    {
        var command = op switch
        {
            "query" => new BsonDocument { { "find", collection }, { "filter", new BsonDocument() } },
            "getmore" => new BsonDocument { { "getMore", 1L }, { "collection", collection } },
            "insert" => new BsonDocument { { "insert", collection }, { "ordered", true } },
            "update" => new BsonDocument { { "update", collection }, { "ordered", true } },
            "remove" => new BsonDocument { { "delete", collection }, { "ordered", true } },
            "killcursors" => new BsonDocument { { "killCursors", collection }, { "cursors", new BsonArray() } },
            _ => new BsonDocument { { "aggregate", collection }, { "pipeline", new BsonArray() }, { "cursor", new BsonDocument() } },
        };
        command["$db"] = database;
        return command;
    }
}
