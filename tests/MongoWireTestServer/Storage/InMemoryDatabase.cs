using ExcelMedical.DbRunbook.MongoWireTestServer.Commands;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Storage;

/// <summary>The collections of one database. Callers hold <see cref="InMemoryStore.SyncRoot"/>.</summary>
internal sealed class InMemoryDatabase(string name)
{
    private readonly Dictionary<string, InMemoryCollection> collections = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    /// <summary>Collections sorted by name, so listings are deterministic.</summary>
    public IEnumerable<InMemoryCollection> Collections => collections.Values.OrderBy(c => c.Name, StringComparer.Ordinal);

    public int CollectionCount => collections.Count;

    public InMemoryCollection? Find(string collectionName) => collections.GetValueOrDefault(collectionName);

    public InMemoryCollection Create(string collectionName, BsonDocument options)
    {
        ValidateCollectionName(collectionName);
        if (collections.ContainsKey(collectionName))
        {
            throw new MongoCommandError(ErrorCodes.NamespaceExists, $"Collection {Name}.{collectionName} already exists.");
        }

        var collection = new InMemoryCollection(Name, collectionName, options);
        collections.Add(collectionName, collection);
        return collection;
    }

    public InMemoryCollection GetOrCreate(string collectionName, out bool created)
    {
        created = false;
        if (collections.TryGetValue(collectionName, out var existing))
        {
            return existing;
        }

        created = true;
        return Create(collectionName, []);
    }

    public bool Drop(string collectionName) => collections.Remove(collectionName);

    private void ValidateCollectionName(string collectionName)
    {
        if (collectionName.Length == 0 || collectionName.Contains('$', StringComparison.Ordinal) || collectionName.Contains('\0', StringComparison.Ordinal)
            || collectionName.StartsWith('.') || collectionName.EndsWith('.'))
        {
            throw new MongoCommandError(ErrorCodes.InvalidNamespace, $"Invalid collection name: {Name}.{collectionName}");
        }
    }
}
