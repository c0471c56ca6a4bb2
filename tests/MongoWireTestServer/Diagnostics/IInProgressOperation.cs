using ExcelMedical.DbRunbook.MongoWireTestServer.Hosting;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Diagnostics;

/// <summary>
/// Something currentOp lists and killOp can target: a request being executed, or an
/// operation a test simulates.
/// </summary>
internal interface IInProgressOperation
{
    int OpId { get; }

    ConnectionInfo Connection { get; }

    /// <summary>currentOp's "op": query, getmore, insert, update, remove, killcursors or command.</summary>
    string Op { get; }

    /// <summary>currentOp's "ns": "db.collection", or "db.$cmd" for commands without a collection.</summary>
    string Namespace { get; }

    BsonDocument Command { get; }

    TimeSpan Elapsed { get; }

    bool KillPending { get; }

    void Kill();
}
