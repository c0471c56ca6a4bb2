using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Query;

/// <summary>
/// Hashes and equates values the way MongoDB's unique indexes and $group do,
/// so that 1, 1L and 1.0 are one key (BsonValue.Equals would keep them apart).
/// </summary>
internal sealed class BsonValueEqualityComparer : IEqualityComparer<BsonValue>
{
    public static BsonValueEqualityComparer Instance { get; } = new();

    public bool Equals(BsonValue? x, BsonValue? y)
    {
        if (x is null || y is null)
        {
            return x is null && y is null;
        }

        return BsonOrder.AreEqual(x, y);
    }

    public int GetHashCode(BsonValue obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        switch (obj.BsonType)
        {
            case BsonType.Int32:
            case BsonType.Int64:
            case BsonType.Double:
                return obj.ToDouble().GetHashCode();
            case BsonType.Decimal128:
                return ((double)obj.AsDecimal128).GetHashCode();
            case BsonType.Null:
            case BsonType.Undefined:
                return 0;
            case BsonType.String:
                return StringComparer.Ordinal.GetHashCode(obj.AsString);
            case BsonType.Symbol:
                return StringComparer.Ordinal.GetHashCode(obj.AsBsonSymbol.Name);
            case BsonType.Document:
                var documentHash = new HashCode();
                foreach (var element in obj.AsBsonDocument)
                {
                    documentHash.Add(element.Name, StringComparer.Ordinal);
                    documentHash.Add(GetHashCode(element.Value));
                }

                return documentHash.ToHashCode();
            case BsonType.Array:
                var arrayHash = new HashCode();
                foreach (var item in obj.AsBsonArray)
                {
                    arrayHash.Add(GetHashCode(item));
                }

                return arrayHash.ToHashCode();
            default:
                return obj.GetHashCode();
        }
    }
}
