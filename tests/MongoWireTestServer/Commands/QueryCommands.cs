using ExcelMedical.DbRunbook.MongoWireTestServer.Query;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>Reads: find, getMore, killCursors, count and distinct.</summary>
internal sealed class QueryCommands : ICommandFamily
{
    public void Register(CommandTable table)
    {
        table.Add("find", Find);
        table.Add("getMore", GetMore);
        table.Add("killCursors", KillCursors);
        table.Add("count", Count);
        table.Add("distinct", Distinct);
    }

    private static BsonDocument Find(CommandContext context)
    {
        var command = context.Command;
        var filter = FilterParser.Parse(CommandArguments.OptionalDocument(command, "filter"));
        var sort = SortSpecification.Parse(CommandArguments.OptionalDocument(command, "sort"));
        var projection = Projection.Parse(CommandArguments.OptionalDocument(command, "projection"));
        var skip = NonNegative(command, "skip") ?? 0;
        var limit = CommandArguments.OptionalInt(command, "limit");
        var singleBatch = CommandArguments.Flag(command, "singleBatch");
        if (limit < 0)
        {
            // The legacy negative limit means "this many, in one batch".
            limit = -limit;
            singleBatch = true;
        }

        var results = CollectionScan.Run(context.FindCollection(), filter, sort, skip, limit, projection);
        var batchSize = NonNegative(command, "batchSize");
        return CursorReplies.FirstBatch(context, context.Namespace, results, batchSize, singleBatch);
    }

    private static BsonDocument GetMore(CommandContext context)
    {
        var cursorId = context.Argument.ToInt64();
        var collection = context.Command.GetValue("collection", BsonNull.Value);
        if (!collection.IsString)
        {
            throw new MongoCommandError(ErrorCodes.FailedToParse, "BSON field 'getMore.collection' is missing but a required field");
        }

        var cursor = context.Server.Cursors.Find(cursorId)
            ?? throw new MongoCommandError(ErrorCodes.CursorNotFound, $"cursor id {cursorId} not found");
        var requestedNamespace = $"{context.Database}.{collection.AsString}";
        if (cursor.Namespace != requestedNamespace)
        {
            throw new MongoCommandError(
                ErrorCodes.Unauthorized,
                $"Requested getMore on namespace '{requestedNamespace}', but cursor belongs to a different namespace {cursor.Namespace}");
        }

        var batch = cursor.NextBatch(NonNegative(context.Command, "batchSize") is > 0 and var size ? size : null);
        var id = cursor.Id;
        if (cursor.IsExhausted)
        {
            context.Server.Cursors.Close(cursor.Id);
            id = 0;
        }

        return CursorReplies.Reply("nextBatch", batch, id, cursor.Namespace);
    }

    private static BsonDocument KillCursors(CommandContext context)
    {
        var killed = new BsonArray();
        var notFound = new BsonArray();
        foreach (var id in CommandArguments.RequiredArray(context.Command, "cursors"))
        {
            (context.Server.Cursors.Close(id.ToInt64()) ? killed : notFound).Add(id.ToInt64());
        }

        return new BsonDocument
        {
            { "cursorsKilled", killed },
            { "cursorsNotFound", notFound },
            { "cursorsAlive", new BsonArray() },
            { "cursorsUnknown", new BsonArray() },
            { "ok", 1.0 },
        };
    }

    private static BsonDocument Count(CommandContext context)
    {
        var filter = FilterParser.Parse(CommandArguments.OptionalDocument(context.Command, "query"));
        var skip = NonNegative(context.Command, "skip") ?? 0;
        var limit = CommandArguments.OptionalInt(context.Command, "limit");
        var count = CollectionScan.Run(context.FindCollection(), filter, skip: skip, limit: limit is null ? null : Math.Abs(limit.Value)).Count;
        return new BsonDocument { { "n", count }, { "ok", 1.0 } };
    }

    private static BsonDocument Distinct(CommandContext context)
    {
        var key = context.Command.GetValue("key", BsonNull.Value);
        if (!key.IsString)
        {
            throw new MongoCommandError(ErrorCodes.FailedToParse, "BSON field 'distinct.key' is missing but a required field");
        }

        var filter = FilterParser.Parse(CommandArguments.OptionalDocument(context.Command, "query"));
        var values = new List<BsonValue>();
        var seen = new HashSet<BsonValue>(BsonValueEqualityComparer.Instance);
        foreach (var document in CollectionScan.Run(context.FindCollection(), filter))
        {
            foreach (var value in FieldPath.Resolve(document, key.AsString).SelectMany(v => v is BsonArray a ? a.AsEnumerable() : [v]))
            {
                if (seen.Add(value))
                {
                    values.Add(value);
                }
            }
        }

        return new BsonDocument { { "values", new BsonArray(values) }, { "ok", 1.0 } };
    }

    private static int? NonNegative(BsonDocument command, string name)
    {
        var value = CommandArguments.OptionalInt(command, name);
        return value < 0
            ? throw new MongoCommandError(51024, $"BSON field '{name}' value must be >= 0, actual value '{value}'")
            : value;
    }
}
