using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>insert: documents arrive as an OP_MSG "documents" sequence (or array); missing _id gets an ObjectId.</summary>
internal sealed class InsertCommand : ICommandFamily
{
    public void Register(CommandTable table) => table.Add("insert", Insert);

    private static BsonDocument Insert(CommandContext context)
    {
        var documents = CommandArguments.RequiredArray(context.Command, "documents");
        var ordered = WriteReplies.Ordered(context.Command);
        var collection = context.Store.GetOrCreateCollection(context.Database, context.CollectionName, out _);
        var inserted = 0;
        var writeErrors = new BsonArray();
        for (var index = 0; index < documents.Count; index++)
        {
            try
            {
                collection.Insert(WithId(documents[index].AsBsonDocument));
                inserted++;
            }
            catch (MongoCommandError error)
            {
                writeErrors.Add(WriteReplies.WriteError(index, error));
                if (ordered)
                {
                    break;
                }
            }
        }

        context.Server.Counters.AddInsert(inserted);
        var reply = new BsonDocument("n", inserted);
        WriteReplies.AddWriteErrors(reply, writeErrors);
        reply["ok"] = 1.0;
        return reply;
    }

    /// <summary>mongod stores _id as the first field, generating an ObjectId when the client sent none.</summary>
    public static BsonDocument WithId(BsonDocument document)
    {
        if (document.ElementCount > 0 && document.GetElement(0).Name == "_id")
        {
            return document;
        }

        var result = new BsonDocument("_id", document.GetValue("_id", ObjectId.GenerateNewId()));
        foreach (var element in document)
        {
            if (element.Name != "_id")
            {
                result.Add(element);
            }
        }

        return result;
    }
}
