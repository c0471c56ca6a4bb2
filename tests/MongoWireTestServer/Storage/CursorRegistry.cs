using System.Collections.Concurrent;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Storage;

/// <summary>Server-side cursors by id, shared by all connections (like mongod's cursor manager).</summary>
internal sealed class CursorRegistry
{
    private readonly ConcurrentDictionary<long, ServerCursor> cursors = new();

    public int OpenCount => cursors.Count;

    public ServerCursor Open(string collectionNamespace, IReadOnlyList<BsonDocument> results)
    {
        while (true)
        {
            // Random positive 63-bit ids like mongod; 0 means "no cursor" on the wire.
            var cursor = new ServerCursor(Random.Shared.NextInt64(1, long.MaxValue), collectionNamespace, results);
            if (cursors.TryAdd(cursor.Id, cursor))
            {
                return cursor;
            }
        }
    }

    public ServerCursor? Find(long id) => cursors.GetValueOrDefault(id);

    public bool Close(long id) => cursors.TryRemove(id, out _);

    public void CloseAll() => cursors.Clear();
}
