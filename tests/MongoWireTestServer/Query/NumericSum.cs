using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Query;

/// <summary>
/// Adds BSON numbers with MongoDB's type widening: int+int stays int unless it overflows,
/// then long; any double makes a double; any decimal makes a decimal.
/// </summary>
internal static class NumericSum
{
    public static BsonValue Add(BsonValue left, BsonValue right)
    {
        if (left.BsonType == BsonType.Decimal128 || right.BsonType == BsonType.Decimal128)
        {
            return new BsonDecimal128(left.ToDecimal() + right.ToDecimal());
        }

        if (left.BsonType == BsonType.Double || right.BsonType == BsonType.Double)
        {
            return new BsonDouble(left.ToDouble() + right.ToDouble());
        }

        var sum = left.ToInt64() + right.ToInt64();
        var bothInt32 = left.BsonType == BsonType.Int32 && right.BsonType == BsonType.Int32;
        return bothInt32 && sum is >= int.MinValue and <= int.MaxValue ? new BsonInt32((int)sum) : new BsonInt64(sum);
    }
}
