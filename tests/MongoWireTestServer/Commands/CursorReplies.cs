using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>Builds {cursor: {firstBatch, id, ns}, ok: 1} replies, opening a server cursor when results remain.</summary>
internal static class CursorReplies
{
    public static BsonDocument FirstBatch(CommandContext context, string collectionNamespace, IReadOnlyList<BsonDocument> results, int? batchSize, bool singleBatch = false)
    {
        if (batchSize < 0)
        {
            throw new MongoCommandError(51024, "BSON field 'batchSize' value must be >= 0, actual value '" + batchSize + "'");
        }

        var cursor = context.Server.Cursors.Open(collectionNamespace, results);
        var batch = cursor.NextBatch(batchSize ?? Storage.ServerCursor.DefaultFirstBatchSize);
        var id = 0L;
        if (cursor.IsExhausted || singleBatch)
        {
            context.Server.Cursors.Close(cursor.Id);
        }
        else
        {
            id = cursor.Id;
        }

        return Reply("firstBatch", batch, id, collectionNamespace);
    }

    public static BsonDocument Reply(string batchName, BsonArray batch, long cursorId, string collectionNamespace) => new()
    {
        {
            "cursor", new BsonDocument
            {
                { batchName, batch },
                { "id", cursorId },
                { "ns", collectionNamespace },
            }
        },
        { "ok", 1.0 },
    };
}
