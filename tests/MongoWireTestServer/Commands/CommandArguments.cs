using ExcelMedical.DbRunbook.MongoWireTestServer.Query;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>Typed access to optional command fields, with mongod-style TypeMismatch errors.</summary>
internal static class CommandArguments
{
    public static int? OptionalInt(BsonDocument command, string name)
    {
        if (!command.TryGetValue(name, out var value) || value.IsBsonNull)
        {
            return null;
        }

        return BsonOrder.IsNumber(value)
            ? checked((int)value.ToInt64())
            : throw new MongoCommandError(
                ErrorCodes.TypeMismatch,
                $"BSON field '{command.GetElement(0).Name}.{name}' is the wrong type '{value.BsonType}', expected types '[long, int, decimal, double']");
    }

    public static bool Flag(BsonDocument command, string name, bool defaultValue = false) =>
        command.TryGetValue(name, out var value) && !value.IsBsonNull ? value.ToBoolean() : defaultValue;

    public static BsonDocument? OptionalDocument(BsonDocument command, string name)
    {
        if (!command.TryGetValue(name, out var value) || value.IsBsonNull)
        {
            return null;
        }

        return value as BsonDocument ?? throw new MongoCommandError(
            ErrorCodes.TypeMismatch,
            $"BSON field '{command.GetElement(0).Name}.{name}' is the wrong type '{value.BsonType}', expected type 'object'");
    }

    public static BsonArray RequiredArray(BsonDocument command, string name)
    {
        if (!command.TryGetValue(name, out var value))
        {
            throw new MongoCommandError(ErrorCodes.FailedToParse, $"BSON field '{command.GetElement(0).Name}.{name}' is missing but a required field");
        }

        return value as BsonArray ?? throw new MongoCommandError(
            ErrorCodes.TypeMismatch,
            $"BSON field '{command.GetElement(0).Name}.{name}' is the wrong type '{value.BsonType}', expected type 'array'");
    }

    /// <summary>dbStats/collStats scale: the integer part of a positive number.</summary>
    public static long Scale(BsonDocument command)
    {
        if (!command.TryGetValue("scale", out var value) || value.IsBsonNull)
        {
            return 1;
        }

        var scale = BsonOrder.IsNumber(value) ? (long)Math.Truncate(value.ToDouble()) : 0;
        return scale >= 1 ? scale : throw new MongoCommandError(ErrorCodes.BadValue, "Scale factor must be a positive number");
    }
}
