using ExcelMedical.DbRunbook.MongoWireTestServer.Commands;
using ExcelMedical.DbRunbook.MongoWireTestServer.Query;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Storage;

/// <summary>
/// One index: its listIndexes specification, and for unique indexes the set of keys in use.
/// Indexes do not speed anything up here; they exist to be listed, sized and to enforce uniqueness.
/// </summary>
internal sealed class IndexDefinition
{
    public const string IdIndexName = "_id_";

    private static readonly HashSet<string> KnownOptions =
    [
        "v", "key", "name", "ns", "background", "unique", "sparse", "expireAfterSeconds", "partialFilterExpression",
        "hidden", "collation", "weights", "default_language", "language_override", "textIndexVersion",
        "2dsphereIndexVersion", "bits", "min", "max", "wildcardProjection", "storageEngine", "bucketSize",
    ];

    private readonly HashSet<BsonValue> uniqueKeys = new(BsonValueEqualityComparer.Instance);
    private readonly IFilter? partialFilter;

    public IndexDefinition(BsonDocument request)
    {
        if (!request.TryGetValue("key", out var keyValue) || keyValue is not BsonDocument key)
        {
            throw new MongoCommandError(ErrorCodes.FailedToParse, "The 'key' field is a required property of an index specification");
        }

        if (key.ElementCount == 0)
        {
            throw new MongoCommandError(ErrorCodes.CannotCreateIndex, "Index keys cannot be an empty object.");
        }

        foreach (var element in request)
        {
            if (!KnownOptions.Contains(element.Name))
            {
                throw new MongoCommandError(
                    ErrorCodes.InvalidIndexSpecificationOption,
                    $"The field '{element.Name}' is not valid for an index specification. Specification: {request}");
            }
        }

        Key = key;
        Name = request.TryGetValue("name", out var name) ? name.AsString : DefaultName(key);
        Unique = request.GetValue("unique", false).ToBoolean();
        Sparse = request.GetValue("sparse", false).ToBoolean();
        if (request.TryGetValue("partialFilterExpression", out var partial))
        {
            partialFilter = FilterParser.Parse(partial);
        }

        // listIndexes order: v, key, name, then the options as given (background/ns are not echoed by 6.0).
        Specification = new BsonDocument { { "v", 2 }, { "key", key }, { "name", Name } };
        foreach (var element in request)
        {
            if (element.Name is not ("v" or "key" or "name" or "ns" or "background"))
            {
                Specification[element.Name] = element.Value;
            }
        }
    }

    public string Name { get; }

    public BsonDocument Key { get; }

    public BsonDocument Specification { get; }

    public bool Unique { get; }

    public bool Sparse { get; }

    public bool IsIdIndex => Name == IdIndexName;

    public static IndexDefinition ForId() => new(new BsonDocument { { "key", new BsonDocument("_id", 1) }, { "name", IdIndexName } });

    public static string DefaultName(BsonDocument key) => string.Join("_", key.Select(e => $"{e.Name}_{e.Value}"));

    public bool SameKey(IndexDefinition other) => BsonOrder.AreEqual(Key, other.Key);

    /// <summary>Same key and same options, ignoring the name and version.</summary>
    public bool SameOptions(IndexDefinition other)
    {
        static Dictionary<string, BsonValue> Options(BsonDocument spec) =>
            spec.Where(e => e.Name is not ("v" or "name" or "key")).ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal);

        var mine = Options(Specification);
        var theirs = Options(other.Specification);
        return mine.Count == theirs.Count
            && mine.All(pair => theirs.TryGetValue(pair.Key, out var value) && BsonOrder.AreEqual(pair.Value, value));
    }

    /// <summary>Whether the document has an entry in this index (sparse and partial indexes skip some).</summary>
    public bool Covers(BsonDocument document)
    {
        if (Sparse && Key.Names.All(path => FieldPath.Resolve(document, path).Count == 0))
        {
            return false;
        }

        return partialFilter is null || partialFilter.Matches(document);
    }

    /// <summary>The index key of a document: missing fields index as null, as in MongoDB.</summary>
    public BsonDocument KeyOf(BsonDocument document)
    {
        var key = new BsonDocument();
        foreach (var path in Key.Names)
        {
            key[path] = FieldPath.Get(document, path) ?? BsonNull.Value;
        }

        return key;
    }

    /// <summary>Throws E11000 when a unique index already holds the document's key.</summary>
    public void CheckUnique(string collectionNamespace, BsonDocument document)
    {
        if (Unique && !IsIdIndex && Covers(document) && uniqueKeys.Contains(KeyOf(document)))
        {
            throw new DuplicateKeyError(collectionNamespace, Name, Key, KeyOf(document));
        }
    }

    public void Track(BsonDocument document)
    {
        if (Unique && !IsIdIndex && Covers(document))
        {
            uniqueKeys.Add(KeyOf(document));
        }
    }

    public void Untrack(BsonDocument document)
    {
        if (Unique && !IsIdIndex && Covers(document))
        {
            uniqueKeys.Remove(KeyOf(document));
        }
    }
}
