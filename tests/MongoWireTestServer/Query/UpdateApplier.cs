using ExcelMedical.DbRunbook.MongoWireTestServer.Commands;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Query;

/// <summary>
/// Applies an update document: a replacement, or the operators $set, $unset, $inc,
/// $setOnInsert and $currentDate. Returns a new document; stored documents are never
/// mutated, so open cursors keep the snapshot they were created with.
/// </summary>
internal static class UpdateApplier
{
    public static void Validate(BsonValue update)
    {
        if (update is BsonArray)
        {
            throw new MongoCommandError(
                ErrorCodes.CommandNotSupported,
                "pipeline-style updates are not supported by MongoWireTestServer");
        }

        if (update is not BsonDocument document)
        {
            throw new MongoCommandError(ErrorCodes.FailedToParse, "Update argument must be either an object or an array");
        }

        if (IsOperatorUpdate(document))
        {
            foreach (var element in document)
            {
                if (element.Name is not ("$set" or "$unset" or "$inc" or "$setOnInsert" or "$currentDate"))
                {
                    throw new MongoCommandError(
                        ErrorCodes.FailedToParse,
                        $"Unknown modifier: {element.Name}. Expected a valid update modifier or pipeline-style update specified as an array");
                }

                if (element.Value is not BsonDocument)
                {
                    throw new MongoCommandError(
                        ErrorCodes.FailedToParse,
                        $"Modifiers operate on fields but we found type {element.Value.BsonType} instead.");
                }
            }
        }
    }

    public static bool IsOperatorUpdate(BsonDocument update) =>
        update.ElementCount > 0 && update.GetElement(0).Name.StartsWith('$');

    /// <param name="original">The stored document (not modified).</param>
    /// <param name="update">A validated update document.</param>
    /// <param name="isInsert">True when building an upserted document ($setOnInsert applies).</param>
    /// <param name="now">The server clock, for $currentDate.</param>
    public static BsonDocument Apply(BsonDocument original, BsonDocument update, bool isInsert, DateTimeOffset now)
    {
        BsonDocument result;
        if (!IsOperatorUpdate(update))
        {
            result = new BsonDocument();
            if (original.TryGetValue("_id", out var keptId))
            {
                result["_id"] = keptId;
            }

            foreach (var element in update)
            {
                result[element.Name] = element.Value.DeepClone();
            }
        }
        else
        {
            result = original.DeepClone().AsBsonDocument;
            foreach (var group in update)
            {
                ApplyOperator(result, group.Name, group.Value.AsBsonDocument, isInsert, now);
            }
        }

        CheckIdUnchanged(original, result);
        return result;
    }

    private static void ApplyOperator(BsonDocument target, string op, BsonDocument fields, bool isInsert, DateTimeOffset now)
    {
        foreach (var field in fields)
        {
            switch (op)
            {
                case "$set":
                    FieldPath.Set(target, field.Name, field.Value.DeepClone());
                    break;
                case "$setOnInsert" when isInsert:
                    FieldPath.Set(target, field.Name, field.Value.DeepClone());
                    break;
                case "$unset":
                    FieldPath.Remove(target, field.Name);
                    break;
                case "$inc":
                    FieldPath.Set(target, field.Name, Increment(FieldPath.Get(target, field.Name), field));
                    break;
                case "$currentDate":
                    var wantsTimestamp = field.Value is BsonDocument spec && spec.GetValue("$type", "date").AsString == "timestamp";
                    FieldPath.Set(target, field.Name, wantsTimestamp
                        ? new BsonTimestamp((int)now.ToUnixTimeSeconds(), 1)
                        : new BsonDateTime(now.ToUnixTimeMilliseconds()));
                    break;
            }
        }
    }

    private static BsonValue Increment(BsonValue? current, BsonElement by)
    {
        if (!BsonOrder.IsNumber(by.Value))
        {
            throw new MongoCommandError(ErrorCodes.TypeMismatch, $"Cannot increment with non-numeric argument: {{{by.Name}: {by.Value}}}");
        }

        if (current is null)
        {
            return by.Value;
        }

        if (!BsonOrder.IsNumber(current))
        {
            throw new MongoCommandError(
                ErrorCodes.TypeMismatch,
                $"Cannot apply $inc to a value of non-numeric type. {{_id: ...}} has the field '{by.Name}' of non-numeric type {current.BsonType}");
        }

        return NumericSum.Add(current, by.Value);
    }

    private static void CheckIdUnchanged(BsonDocument original, BsonDocument result)
    {
        if (original.TryGetValue("_id", out var before)
            && (!result.TryGetValue("_id", out var after) || !BsonOrder.AreEqual(before, after)))
        {
            throw new MongoCommandError(
                ErrorCodes.ImmutableField,
                $"Performing an update on the path '_id' would modify the immutable field '_id'");
        }
    }
}
