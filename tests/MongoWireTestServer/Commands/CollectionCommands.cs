using ExcelMedical.DbRunbook.MongoWireTestServer.Query;
using ExcelMedical.DbRunbook.MongoWireTestServer.Storage;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>create, drop and listCollections.</summary>
internal sealed class CollectionCommands : ICommandFamily
{
    public void Register(CommandTable table)
    {
        table.Add("create", Create);
        table.Add("drop", Drop);
        table.Add("listCollections", ListCollections);
    }

    private static BsonDocument Create(CommandContext context)
    {
        if (context.Command.Contains("viewOn"))
        {
            throw new MongoCommandError(ErrorCodes.CommandNotSupported, "views are not supported by MongoWireTestServer");
        }

        var options = new BsonDocument();
        foreach (var element in context.Command.Skip(1))
        {
            if (!GenericArguments.Contains(element.Name))
            {
                options[element.Name] = element.Value;
            }
        }

        context.Store.GetOrAddDatabase(context.Database).Create(context.CollectionName, options);
        return HandshakeCommands.Ok();
    }

    private static BsonDocument Drop(CommandContext context)
    {
        // mongod 6.0 reports a missing collection as NamespaceNotFound; the driver's DropCollection ignores it.
        var collection = context.FindCollection() ?? throw MongoCommandError.NamespaceNotFound("ns not found");
        context.Store.FindDatabase(context.Database)!.Drop(collection.Name);
        return new BsonDocument { { "nIndexesWas", collection.Indexes.Count }, { "ns", collection.Namespace }, { "ok", 1.0 } };
    }

    private static BsonDocument ListCollections(CommandContext context)
    {
        var nameOnly = CommandArguments.Flag(context.Command, "nameOnly");
        var filter = FilterParser.Parse(CommandArguments.OptionalDocument(context.Command, "filter"));
        var collections = context.Store.FindDatabase(context.Database)?.Collections ?? [];
        var results = new List<BsonDocument>();
        foreach (var collection in collections)
        {
            var entry = Describe(collection);
            if (filter.Matches(entry))
            {
                results.Add(nameOnly ? new BsonDocument { { "name", collection.Name }, { "type", "collection" } } : entry);
            }
        }

        var batchSize = CommandArguments.OptionalInt(CommandArguments.OptionalDocument(context.Command, "cursor") ?? [], "batchSize");
        return CursorReplies.FirstBatch(context, $"{context.Database}.$cmd.listCollections", results, batchSize ?? int.MaxValue);
    }

    private static BsonDocument Describe(InMemoryCollection collection) => new()
    {
        { "name", collection.Name },
        { "type", "collection" },
        { "options", collection.Options },
        {
            "info", new BsonDocument
            {
                { "readOnly", false },
                { "uuid", new BsonBinaryData(collection.Uuid, GuidRepresentation.Standard) },
            }
        },
        { "idIndex", IndexDefinition.ForId().Specification },
    };
}
