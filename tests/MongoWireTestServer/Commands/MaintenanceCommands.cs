using ExcelMedical.DbRunbook.MongoWireTestServer.Storage;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>validate and compact.</summary>
internal sealed class MaintenanceCommands : ICommandFamily
{
    public void Register(CommandTable table)
    {
        table.Add("validate", Validate);
        table.Add("compact", Compact);
    }

    /// <summary>Checks the collection's bookkeeping for real (see <see cref="CollectionValidator"/>) and reports like mongod 6.0.</summary>
    private static BsonDocument Validate(CommandContext context)
    {
        var collection = context.FindCollection()
            ?? throw MongoCommandError.NamespaceNotFound($"Collection '{context.Namespace}' does not exist to validate.");
        var result = CollectionValidator.Check(collection);
        var keysPerIndex = new BsonDocument();
        var indexDetails = new BsonDocument();
        foreach (var index in collection.Indexes)
        {
            keysPerIndex[index.Name] = collection.KeysIn(index);
            indexDetails[index.Name] = new BsonDocument("valid", !result.InvalidIndexes.Contains(index.Name));
        }

        return new BsonDocument
        {
            { "ns", collection.Namespace },
            { "uuid", new BsonBinaryData(collection.Uuid, GuidRepresentation.Standard) },
            { "nInvalidDocuments", result.InvalidDocuments },
            { "nNonCompliantDocuments", 0 },
            { "nrecords", collection.Count },
            { "nIndexes", collection.Indexes.Count },
            { "keysPerIndex", keysPerIndex },
            { "indexDetails", indexDetails },
            { "valid", result.Errors.Count == 0 },
            { "repaired", false },
            { "warnings", new BsonArray(result.Warnings) },
            { "errors", new BsonArray(result.Errors) },
            { "extraIndexEntries", new BsonArray() },
            { "missingIndexEntries", new BsonArray() },
            { "corruptRecords", new BsonArray() },
            { "ok", 1.0 },
        };
    }

    /// <summary>Gives back the space deletes left allocated, like WiredTiger's compact.</summary>
    private static BsonDocument Compact(CommandContext context)
    {
        var collection = context.FindCollection()
            ?? throw MongoCommandError.NamespaceNotFound("collection does not exist");
        return new BsonDocument { { "bytesFreed", collection.Compact() }, { "ok", 1.0 } };
    }
}
