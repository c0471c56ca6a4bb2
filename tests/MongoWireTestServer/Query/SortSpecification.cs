using ExcelMedical.DbRunbook.MongoWireTestServer.Commands;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Query;

/// <summary>A parsed sort document ({created_at: -1, _id: 1}); $natural keeps insertion order.</summary>
internal sealed class SortSpecification : IComparer<BsonDocument>
{
    private readonly List<(string Path, int Direction)> keys;

    private SortSpecification(List<(string Path, int Direction)> keys, int naturalDirection)
    {
        this.keys = keys;
        NaturalDirection = naturalDirection;
    }

    /// <summary>1 or -1 when the sort is {$natural: ±1}; 0 otherwise.</summary>
    public int NaturalDirection { get; }

    public static SortSpecification? Parse(BsonValue? sort)
    {
        if (sort is null || sort.IsBsonNull || (sort is BsonDocument empty && empty.ElementCount == 0))
        {
            return null;
        }

        if (sort is not BsonDocument document)
        {
            throw new MongoCommandError(ErrorCodes.TypeMismatch, "sort must be an object");
        }

        var keys = new List<(string, int)>();
        var natural = 0;
        foreach (var element in document)
        {
            if (!BsonOrder.IsNumber(element.Value) || element.Value.ToDouble() is not (1 or -1))
            {
                throw new MongoCommandError(
                    ErrorCodes.BadValue,
                    $"$sort key ordering must be 1 (for ascending) or -1 (for descending); found {element.Name}: {element.Value}");
            }

            var direction = element.Value.ToDouble() > 0 ? 1 : -1;
            if (element.Name == "$natural")
            {
                natural = direction;
            }
            else
            {
                keys.Add((element.Name, direction));
            }
        }

        return new SortSpecification(keys, natural);
    }

    /// <summary>Sorts stably, so equal keys keep insertion order like a collection scan.</summary>
    public IEnumerable<BsonDocument> Apply(IEnumerable<BsonDocument> documents)
    {
        if (keys.Count == 0)
        {
            return NaturalDirection < 0 ? documents.Reverse() : documents;
        }

        return documents.Order(this);
    }

    public int Compare(BsonDocument? x, BsonDocument? y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        foreach (var (path, direction) in keys)
        {
            var order = BsonOrder.Compare(SortKey(x, path, direction), SortKey(y, path, direction));
            if (order != 0)
            {
                return order * direction;
            }
        }

        return 0;
    }

    /// <summary>
    /// The value a document sorts by: missing is null, and an array sorts by its smallest
    /// element ascending and its largest descending, as in MongoDB.
    /// </summary>
    private static BsonValue SortKey(BsonDocument document, string path, int direction)
    {
        var values = FieldPath.Resolve(document, path)
            .SelectMany(v => v is BsonArray array && array.Count > 0 ? array.AsEnumerable() : [v])
            .ToList();
        if (values.Count == 0)
        {
            return BsonNull.Value;
        }

        var best = values[0];
        foreach (var value in values.Skip(1))
        {
            var order = BsonOrder.Compare(value, best);
            if ((direction > 0 && order < 0) || (direction < 0 && order > 0))
            {
                best = value;
            }
        }

        return best;
    }
}
