using ExcelMedical.DbRunbook.MongoWireTestServer.Commands;
using ExcelMedical.DbRunbook.MongoWireTestServer.Query;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Storage;

/// <summary>
/// Documents of one collection in insertion order, its indexes and size bookkeeping.
/// Not thread-safe by itself: callers hold <see cref="InMemoryStore.SyncRoot"/>.
/// Stored documents are never mutated (updates store a new instance), so cursors can
/// keep references to them without copying.
/// </summary>
internal sealed class InMemoryCollection
{
    private readonly SortedDictionary<long, StoredDocument> records = [];
    private readonly Dictionary<BsonValue, StoredDocument> byId = new(BsonValueEqualityComparer.Instance);
    private readonly List<IndexDefinition> indexes = [IndexDefinition.ForId()];
    private long nextRecordId = 1;

    public InMemoryCollection(string databaseName, string name, BsonDocument options)
    {
        DatabaseName = databaseName;
        Name = name;
        Options = options;
    }

    public string DatabaseName { get; }

    public string Name { get; }

    public string Namespace => $"{DatabaseName}.{Name}";

    /// <summary>Each collection has a UUID, reported by listCollections and validate.</summary>
    public Guid Uuid { get; } = Guid.NewGuid();

    public BsonDocument Options { get; }

    public CollectionLatency Latency { get; } = new();

    public int Count => records.Count;

    /// <summary>Sum of the BSON sizes of the documents (collStats "size").</summary>
    public long DataSize { get; private set; }

    /// <summary>
    /// Data bytes the storage has allocated: like WiredTiger it keeps space freed by deletes
    /// until <see cref="Compact"/> runs, so storageSize does not shrink on delete.
    /// </summary>
    public long AllocatedDataSize { get; private set; }

    public IReadOnlyList<IndexDefinition> Indexes => indexes;

    public IEnumerable<StoredDocument> Documents => records.Values;

    public long StorageSize => StorageSizes.StorageSize(AllocatedDataSize);

    public long FreeStorageSize => StorageSize - StorageSizes.StorageSize(DataSize);

    public static int SizeOf(BsonDocument document) => document.ToBson().Length;

    /// <summary>Index entries per index, as validate's keysPerIndex reports them.</summary>
    public long KeysIn(IndexDefinition index) =>
        index.IsIdIndex || (!index.Sparse && !index.Specification.Contains("partialFilterExpression"))
            ? Count
            : records.Values.LongCount(r => index.Covers(r.Document));

    public long IndexSize(IndexDefinition index) => StorageSizes.IndexSize(KeysIn(index));

    public long TotalIndexSize => indexes.Sum(IndexSize);

    /// <summary>Inserts a document that already has an _id; throws E11000 on a duplicate key.</summary>
    public StoredDocument Insert(BsonDocument document)
    {
        var id = document["_id"];
        if (byId.ContainsKey(id))
        {
            throw new DuplicateKeyError(Namespace, IndexDefinition.IdIndexName, new BsonDocument("_id", 1), new BsonDocument("_id", id));
        }

        foreach (var index in indexes)
        {
            index.CheckUnique(Namespace, document);
        }

        var stored = new StoredDocument(nextRecordId++, document, SizeOf(document));
        Add(stored);
        return stored;
    }

    public void Remove(StoredDocument stored)
    {
        records.Remove(stored.RecordId);
        byId.Remove(stored.Document["_id"]);
        DataSize -= stored.Size;
        foreach (var index in indexes)
        {
            index.Untrack(stored.Document);
        }
    }

    /// <summary>Replaces a document in place (same record id, so scan order is kept).</summary>
    public StoredDocument Replace(StoredDocument stored, BsonDocument replacement)
    {
        foreach (var index in indexes)
        {
            index.Untrack(stored.Document);
        }

        try
        {
            foreach (var index in indexes)
            {
                index.CheckUnique(Namespace, replacement);
            }
        }
        catch (DuplicateKeyError)
        {
            foreach (var index in indexes)
            {
                index.Track(stored.Document);
            }

            throw;
        }

        records.Remove(stored.RecordId);
        byId.Remove(stored.Document["_id"]);
        DataSize -= stored.Size;
        var updated = stored with { Document = replacement, Size = SizeOf(replacement) };
        Add(updated);
        return updated;
    }

    public IndexDefinition? FindIndex(string name) => indexes.Find(i => i.Name == name);

    /// <summary>Adds an index, building its unique-key set (E11000 if existing data violates it).</summary>
    public void AddIndex(IndexDefinition index)
    {
        if (index.Unique)
        {
            foreach (var record in records.Values)
            {
                index.CheckUnique(Namespace, record.Document);
                index.Track(record.Document);
            }
        }

        indexes.Add(index);
    }

    public void DropIndex(IndexDefinition index) => indexes.Remove(index);

    /// <summary>Releases space freed by deletes; returns the bytes given back (compact's bytesFreed).</summary>
    public long Compact()
    {
        var before = StorageSize;
        AllocatedDataSize = DataSize;
        return before - StorageSize;
    }

    private void Add(StoredDocument stored)
    {
        records.Add(stored.RecordId, stored);
        byId.Add(stored.Document["_id"], stored);
        DataSize += stored.Size;
        AllocatedDataSize = Math.Max(AllocatedDataSize, DataSize);
        foreach (var index in indexes)
        {
            index.Track(stored.Document);
        }
    }
}
