using ExcelMedical.DbRunbook.MongoWireTestServer.Query;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Storage;

/// <summary>
/// validate's checks, recomputed from the documents rather than trusted from the bookkeeping:
/// every document has an _id, _ids and unique keys are unique, recorded sizes match the BSON,
/// and the collection's data size is their sum. A bug in the server shows up here as errors.
/// </summary>
internal static class CollectionValidator
{
    private const int MaxDocumentBytes = 16 * 1024 * 1024;

    public static ValidationResult Check(InMemoryCollection collection)
    {
        var errors = new List<string>();
        var invalidDocuments = 0;
        var totalSize = 0L;
        var ids = new HashSet<BsonValue>(BsonValueEqualityComparer.Instance);
        foreach (var record in collection.Documents)
        {
            var size = InMemoryCollection.SizeOf(record.Document);
            totalSize += record.Size;
            var problem = DocumentProblem(record, size, ids);
            if (problem is not null)
            {
                invalidDocuments++;
                errors.Add($"record {record.RecordId}: {problem}");
            }
        }

        if (totalSize != collection.DataSize)
        {
            errors.Add($"data size is recorded as {collection.DataSize} bytes but the documents add up to {totalSize}");
        }

        var invalidIndexes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var index in collection.Indexes.Where(i => i.Unique && !i.IsIdIndex))
        {
            if (HasDuplicateKeys(collection, index))
            {
                invalidIndexes.Add(index.Name);
                errors.Add($"unique index {index.Name} holds the same key for more than one document");
            }
        }

        return new ValidationResult(errors, [], invalidDocuments, invalidIndexes);
    }

    private static string? DocumentProblem(StoredDocument record, int size, HashSet<BsonValue> ids)
    {
        if (!record.Document.TryGetValue("_id", out var id))
        {
            return "document has no _id";
        }

        if (!ids.Add(id))
        {
            return $"duplicate _id {id.ToJson()}";
        }

        if (size != record.Size)
        {
            return $"recorded size {record.Size} differs from the BSON size {size}";
        }

        return size > MaxDocumentBytes ? $"document is {size} bytes, above the 16 MiB limit" : null;
    }

    private static bool HasDuplicateKeys(InMemoryCollection collection, IndexDefinition index)
    {
        var keys = new HashSet<BsonValue>(BsonValueEqualityComparer.Instance);
        return collection.Documents
            .Where(record => index.Covers(record.Document))
            .Any(record => !keys.Add(index.KeyOf(record.Document)));
    }
}

/// <summary>What <see cref="CollectionValidator"/> found.</summary>
internal sealed record ValidationResult(IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings, int InvalidDocuments, IReadOnlySet<string> InvalidIndexes);
