using ExcelMedical.DbRunbook.MongoWireTestServer.Query;
using ExcelMedical.DbRunbook.MongoWireTestServer.Storage;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>createIndexes, listIndexes and dropIndexes.</summary>
internal sealed class IndexCommands : ICommandFamily
{
    public void Register(CommandTable table)
    {
        table.Add("createIndexes", CreateIndexes);
        table.Add("listIndexes", ListIndexes);
        table.Add("dropIndexes", DropIndexes);
        table.Add("deleteIndexes", DropIndexes);
    }

    private static BsonDocument CreateIndexes(CommandContext context)
    {
        var requested = CommandArguments.RequiredArray(context.Command, "indexes")
            .Select(spec => spec is BsonDocument document
                ? new IndexDefinition(document)
                : throw new MongoCommandError(ErrorCodes.TypeMismatch, "The elements of the 'indexes' array must be objects"))
            .ToList();
        if (requested.Count == 0)
        {
            throw new MongoCommandError(ErrorCodes.BadValue, "Must specify at least one index to create");
        }

        var existing = context.FindCollection();
        var before = existing?.Indexes.Count ?? 1;

        // Validate every spec before creating anything, so a conflict leaves no partial result.
        var toCreate = requested.Where(index => existing is null || !AlreadyExists(existing, index)).ToList();
        var collection = context.Store.GetOrCreateCollection(context.Database, context.CollectionName, out var created);
        foreach (var index in toCreate)
        {
            collection.AddIndex(index);
        }

        var reply = new BsonDocument
        {
            { "numIndexesBefore", before },
            { "numIndexesAfter", collection.Indexes.Count },
            { "createdCollectionAutomatically", created },
        };
        if (toCreate.Count == 0)
        {
            reply["note"] = "all indexes already exist";
        }

        reply["ok"] = 1.0;
        return reply;
    }

    /// <summary>True for an identical index (idempotent create); throws 85/86 for conflicting ones.</summary>
    private static bool AlreadyExists(InMemoryCollection collection, IndexDefinition requested)
    {
        var sameName = collection.FindIndex(requested.Name);
        if (sameName is not null)
        {
            if (!sameName.SameKey(requested))
            {
                throw new MongoCommandError(
                    ErrorCodes.IndexKeySpecsConflict,
                    $"An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: {requested.Specification}, existing index: {sameName.Specification}");
            }

            return sameName.SameOptions(requested)
                ? true
                : throw new MongoCommandError(
                    ErrorCodes.IndexOptionsConflict,
                    $"An equivalent index already exists with the same name but different options. Requested index: {requested.Specification}, existing index: {sameName.Specification}");
        }

        var sameKey = collection.Indexes.FirstOrDefault(i => i.SameKey(requested));
        if (sameKey is not null)
        {
            throw new MongoCommandError(ErrorCodes.IndexOptionsConflict, $"Index already exists with a different name: {sameKey.Name}");
        }

        return false;
    }

    private static BsonDocument ListIndexes(CommandContext context)
    {
        var collection = context.FindCollection()
            ?? throw MongoCommandError.NamespaceNotFound($"ns does not exist: {context.Namespace}");
        var results = collection.Indexes.Select(i => i.Specification).ToList();
        var batchSize = CommandArguments.OptionalInt(CommandArguments.OptionalDocument(context.Command, "cursor") ?? [], "batchSize");
        return CursorReplies.FirstBatch(context, collection.Namespace, results, batchSize ?? int.MaxValue);
    }

    private static BsonDocument DropIndexes(CommandContext context)
    {
        var collection = context.FindCollection()
            ?? throw MongoCommandError.NamespaceNotFound($"ns not found {context.Namespace}");
        var before = collection.Indexes.Count;
        var target = context.Command.GetValue("index", BsonNull.Value);
        var reply = new BsonDocument("nIndexesWas", before);
        if (target is BsonString { Value: "*" })
        {
            foreach (var index in collection.Indexes.Where(i => !i.IsIdIndex).ToList())
            {
                collection.DropIndex(index);
            }

            reply["msg"] = "non-_id indexes dropped for collection";
        }
        else
        {
            foreach (var index in Resolve(collection, target))
            {
                collection.DropIndex(index);
            }
        }

        reply["ok"] = 1.0;
        return reply;
    }

    /// <summary>The indexes named by dropIndexes' "index": a name, a key pattern or an array of names.</summary>
    private static List<IndexDefinition> Resolve(InMemoryCollection collection, BsonValue target)
    {
        var found = target switch
        {
            BsonString name => [ByName(collection, name.Value)],
            BsonArray names => names.Select(n => ByName(collection, n.AsString)).ToList(),
            BsonDocument key => [collection.Indexes.FirstOrDefault(i => BsonOrder.AreEqual(i.Key, key))
                ?? throw new MongoCommandError(ErrorCodes.IndexNotFound, $"can't find index with key: {key}")],
            _ => throw new MongoCommandError(ErrorCodes.TypeMismatch, "BSON field 'dropIndexes.index' is the wrong type"),
        };
        if (found.Exists(i => i.IsIdIndex))
        {
            throw new MongoCommandError(ErrorCodes.InvalidOptions, "cannot drop _id index");
        }

        return found;
    }

    private static IndexDefinition ByName(InMemoryCollection collection, string name) =>
        collection.FindIndex(name) ?? throw new MongoCommandError(ErrorCodes.IndexNotFound, $"index not found with name [{name}]");
}
