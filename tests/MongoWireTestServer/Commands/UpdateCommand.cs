using ExcelMedical.DbRunbook.MongoWireTestServer.Query;
using ExcelMedical.DbRunbook.MongoWireTestServer.Storage;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>update: each statement {q, u, multi, upsert}; operators per <see cref="UpdateApplier"/>.</summary>
internal sealed class UpdateCommand : ICommandFamily
{
    public void Register(CommandTable table) => table.Add("update", Update);

    private static BsonDocument Update(CommandContext context)
    {
        var statements = CommandArguments.RequiredArray(context.Command, "updates");
        var ordered = WriteReplies.Ordered(context.Command);
        var matched = 0;
        var modified = 0;
        var upserted = new BsonArray();
        var writeErrors = new BsonArray();
        for (var index = 0; index < statements.Count; index++)
        {
            try
            {
                var outcome = Execute(context, statements[index].AsBsonDocument);
                matched += outcome.Matched;
                modified += outcome.Modified;
                if (outcome.UpsertedId is not null)
                {
                    matched++;
                    upserted.Add(new BsonDocument { { "index", index }, { "_id", outcome.UpsertedId } });
                }
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

        context.Server.Counters.AddUpdate(statements.Count);
        var reply = new BsonDocument { { "n", matched }, { "nModified", modified } };
        if (upserted.Count > 0)
        {
            reply["upserted"] = upserted;
        }

        WriteReplies.AddWriteErrors(reply, writeErrors);
        reply["ok"] = 1.0;
        return reply;
    }

    private static (int Matched, int Modified, BsonValue? UpsertedId) Execute(CommandContext context, BsonDocument statement)
    {
        var query = statement.GetValue("q", BsonNull.Value) as BsonDocument
            ?? throw new MongoCommandError(ErrorCodes.FailedToParse, "BSON field 'update.updates.q' is missing but a required field");
        var update = statement.GetValue("u", BsonNull.Value);
        UpdateApplier.Validate(update);
        if (statement.GetValue("arrayFilters", BsonNull.Value) is BsonArray { Count: > 0 })
        {
            throw new MongoCommandError(ErrorCodes.CommandNotSupported, "arrayFilters are not supported by MongoWireTestServer");
        }

        var filter = FilterParser.Parse(query);
        var multi = CommandArguments.Flag(statement, "multi");
        var collection = context.FindCollection();
        var targets = collection is null
            ? []
            : (multi ? collection.Documents.Where(r => filter.Matches(r.Document)) : collection.Documents.Where(r => filter.Matches(r.Document)).Take(1)).ToList();

        if (targets.Count == 0)
        {
            return CommandArguments.Flag(statement, "upsert") ? (0, 0, Upsert(context, query, update.AsBsonDocument)) : (0, 0, null);
        }

        var modified = 0;
        foreach (var target in targets)
        {
            var replacement = UpdateApplier.Apply(target.Document, update.AsBsonDocument, isInsert: false, context.Now);
            if (!replacement.Equals(target.Document))
            {
                collection!.Replace(target, replacement);
                modified++;
            }
        }

        return (targets.Count, modified, null);
    }

    /// <summary>Builds the upserted document from the query's equality fields, then applies the update.</summary>
    private static BsonValue Upsert(CommandContext context, BsonDocument query, BsonDocument update)
    {
        var seed = new BsonDocument();
        foreach (var element in query)
        {
            var isEquality = !element.Name.StartsWith('$')
                && (element.Value is not BsonDocument condition || condition.ElementCount == 0 || !condition.GetElement(0).Name.StartsWith('$'));
            if (isEquality)
            {
                FieldPath.Set(seed, element.Name, element.Value);
            }
            else if (element.Value is BsonDocument { ElementCount: 1 } single && single.GetElement(0).Name == "$eq")
            {
                FieldPath.Set(seed, element.Name, single[0]);
            }
        }

        var document = UpdateApplier.IsOperatorUpdate(update)
            ? UpdateApplier.Apply(seed, update, isInsert: true, context.Now)
            : UpdateApplier.Apply(seed.Contains("_id") ? new BsonDocument("_id", seed["_id"]) : [], update, isInsert: true, context.Now);
        document = InsertCommand.WithId(document);
        InMemoryCollection collection = context.Store.GetOrCreateCollection(context.Database, context.CollectionName, out _);
        collection.Insert(document);
        return document["_id"];
    }
}
