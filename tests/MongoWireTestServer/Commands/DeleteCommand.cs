using ExcelMedical.DbRunbook.MongoWireTestServer.Query;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>delete: each statement {q, limit} removes the first match (limit 1) or all matches (limit 0).</summary>
internal sealed class DeleteCommand : ICommandFamily
{
    public void Register(CommandTable table) => table.Add("delete", Delete);

    private static BsonDocument Delete(CommandContext context)
    {
        var statements = CommandArguments.RequiredArray(context.Command, "deletes");
        var ordered = WriteReplies.Ordered(context.Command);
        var collection = context.FindCollection();
        var deleted = 0;
        var writeErrors = new BsonArray();
        for (var index = 0; index < statements.Count; index++)
        {
            try
            {
                deleted += Execute(collection, statements[index].AsBsonDocument);
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

        context.Server.Counters.AddDelete(statements.Count);
        var reply = new BsonDocument("n", deleted);
        WriteReplies.AddWriteErrors(reply, writeErrors);
        reply["ok"] = 1.0;
        return reply;
    }

    private static int Execute(Storage.InMemoryCollection? collection, BsonDocument statement)
    {
        var limit = CommandArguments.OptionalInt(statement, "limit")
            ?? throw new MongoCommandError(ErrorCodes.FailedToParse, "BSON field 'delete.deletes.limit' is missing but a required field");
        if (limit is not (0 or 1))
        {
            throw new MongoCommandError(ErrorCodes.FailedToParse, $"The limit field in delete objects must be 0 or 1. Got {limit}");
        }

        var filter = FilterParser.Parse(statement.GetValue("q", BsonNull.Value) is BsonDocument q
            ? q
            : throw new MongoCommandError(ErrorCodes.FailedToParse, "BSON field 'delete.deletes.q' is missing but a required field"));
        if (collection is null)
        {
            return 0;
        }

        var matches = collection.Documents.Where(r => filter.Matches(r.Document));
        var victims = (limit == 1 ? matches.Take(1) : matches).ToList();
        foreach (var victim in victims)
        {
            collection.Remove(victim);
        }

        return victims.Count;
    }
}
