using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Query;

/// <summary>
/// The total order MongoDB uses to compare and sort values of any BSON type
/// (MinKey &lt; null &lt; numbers &lt; strings &lt; objects &lt; arrays &lt; binary &lt; ObjectId
/// &lt; booleans &lt; dates &lt; timestamps &lt; regular expressions &lt; MaxKey).
/// </summary>
internal static class BsonOrder
{
    /// <summary>Rank of a value's canonical type: values only compare by content within one rank.</summary>
    public static int Rank(BsonValue value) => value.BsonType switch
    {
        BsonType.MinKey => 1,
        BsonType.Null or BsonType.Undefined => 2,
        BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128 => 3,
        BsonType.String or BsonType.Symbol => 4,
        BsonType.Document => 5,
        BsonType.Array => 6,
        BsonType.Binary => 7,
        BsonType.ObjectId => 8,
        BsonType.Boolean => 9,
        BsonType.DateTime => 10,
        BsonType.Timestamp => 11,
        BsonType.RegularExpression => 12,
        BsonType.JavaScript => 13,
        BsonType.JavaScriptWithScope => 14,
        BsonType.MaxKey => 100,
        _ => 50,
    };

    public static bool IsNumber(BsonValue value) => Rank(value) == 3;

    /// <summary>Equality as MongoDB sees it: 1, 1L and 1.0 are equal; field order matters in documents.</summary>
    public static bool AreEqual(BsonValue left, BsonValue right) => Compare(left, right) == 0;

    public static int Compare(BsonValue left, BsonValue right)
    {
        var rank = Rank(left).CompareTo(Rank(right));
        if (rank != 0)
        {
            return rank;
        }

        return left.BsonType switch
        {
            BsonType.MinKey or BsonType.MaxKey or BsonType.Null or BsonType.Undefined => 0,
            BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128 => CompareNumbers(left, right),
            BsonType.String or BsonType.Symbol => string.CompareOrdinal(Text(left), Text(right)),
            BsonType.Document => CompareDocuments(left.AsBsonDocument, right.AsBsonDocument),
            BsonType.Array => CompareArrays(left.AsBsonArray, right.AsBsonArray),
            BsonType.Binary => CompareBinary(left.AsBsonBinaryData, right.AsBsonBinaryData),
            BsonType.ObjectId => left.AsObjectId.CompareTo(right.AsObjectId),
            BsonType.Boolean => left.AsBoolean.CompareTo(right.AsBoolean),
            BsonType.DateTime => left.AsBsonDateTime.MillisecondsSinceEpoch.CompareTo(right.AsBsonDateTime.MillisecondsSinceEpoch),
            BsonType.Timestamp => ((ulong)left.AsBsonTimestamp.Value).CompareTo((ulong)right.AsBsonTimestamp.Value),
            BsonType.RegularExpression => CompareRegex(left.AsBsonRegularExpression, right.AsBsonRegularExpression),
            _ => string.CompareOrdinal(left.ToString(), right.ToString()),
        };
    }

    private static string Text(BsonValue value) => value.IsString ? value.AsString : value.AsBsonSymbol.Name;

    private static int CompareNumbers(BsonValue left, BsonValue right)
    {
        if (left.BsonType is BsonType.Int32 or BsonType.Int64 && right.BsonType is BsonType.Int32 or BsonType.Int64)
        {
            return left.ToInt64().CompareTo(right.ToInt64());
        }

        if (left.BsonType == BsonType.Decimal128 || right.BsonType == BsonType.Decimal128)
        {
            var l = left.ToDecimal128();
            var r = right.ToDecimal128();
            return l.CompareTo(r);
        }

        // MongoDB sorts NaN below every other number; double.CompareTo does the same.
        return left.ToDouble().CompareTo(right.ToDouble());
    }

    private static int CompareDocuments(BsonDocument left, BsonDocument right)
    {
        var count = Math.Min(left.ElementCount, right.ElementCount);
        for (var i = 0; i < count; i++)
        {
            var l = left.GetElement(i);
            var r = right.GetElement(i);
            var byType = Rank(l.Value).CompareTo(Rank(r.Value));
            if (byType != 0)
            {
                return byType;
            }

            var byName = string.CompareOrdinal(l.Name, r.Name);
            if (byName != 0)
            {
                return byName;
            }

            var byValue = Compare(l.Value, r.Value);
            if (byValue != 0)
            {
                return byValue;
            }
        }

        return left.ElementCount.CompareTo(right.ElementCount);
    }

    private static int CompareArrays(BsonArray left, BsonArray right)
    {
        var count = Math.Min(left.Count, right.Count);
        for (var i = 0; i < count; i++)
        {
            var byValue = Compare(left[i], right[i]);
            if (byValue != 0)
            {
                return byValue;
            }
        }

        return left.Count.CompareTo(right.Count);
    }

    private static int CompareBinary(BsonBinaryData left, BsonBinaryData right)
    {
        var byLength = left.Bytes.Length.CompareTo(right.Bytes.Length);
        if (byLength != 0)
        {
            return byLength;
        }

        var bySubType = ((int)left.SubType).CompareTo((int)right.SubType);
        return bySubType != 0 ? bySubType : left.Bytes.AsSpan().SequenceCompareTo(right.Bytes);
    }

    private static int CompareRegex(BsonRegularExpression left, BsonRegularExpression right)
    {
        var byPattern = string.CompareOrdinal(left.Pattern, right.Pattern);
        return byPattern != 0 ? byPattern : string.CompareOrdinal(left.Options, right.Options);
    }
}
