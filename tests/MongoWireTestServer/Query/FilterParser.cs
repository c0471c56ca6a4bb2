using ExcelMedical.DbRunbook.MongoWireTestServer.Commands;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Query;

/// <summary>
/// Turns a query document into an <see cref="IFilter"/>, rejecting operators this server
/// does not know with the same BadValue error mongod gives for unknown ones.
/// </summary>
internal static class FilterParser
{
    private static readonly Dictionary<string, BsonType[]> TypeAliases = new(StringComparer.Ordinal)
    {
        ["double"] = [BsonType.Double],
        ["string"] = [BsonType.String],
        ["object"] = [BsonType.Document],
        ["array"] = [BsonType.Array],
        ["binData"] = [BsonType.Binary],
        ["undefined"] = [BsonType.Undefined],
        ["objectId"] = [BsonType.ObjectId],
        ["bool"] = [BsonType.Boolean],
        ["date"] = [BsonType.DateTime],
        ["null"] = [BsonType.Null],
        ["regex"] = [BsonType.RegularExpression],
        ["javascript"] = [BsonType.JavaScript],
        ["int"] = [BsonType.Int32],
        ["timestamp"] = [BsonType.Timestamp],
        ["long"] = [BsonType.Int64],
        ["decimal"] = [BsonType.Decimal128],
        ["minKey"] = [BsonType.MinKey],
        ["maxKey"] = [BsonType.MaxKey],
    };

    public static IFilter Parse(BsonValue? filter)
    {
        if (filter is null || filter.IsBsonNull)
        {
            return AndFilter.Everything;
        }

        if (filter is not BsonDocument document)
        {
            throw new MongoCommandError(ErrorCodes.TypeMismatch, "filter must be an object");
        }

        var clauses = new List<IFilter>();
        foreach (var element in document)
        {
            if (element.Name.StartsWith('$'))
            {
                var logical = ParseTopLevelOperator(element);
                if (logical is not null)
                {
                    clauses.Add(logical);
                }
            }
            else
            {
                clauses.Add(new FieldFilter(element.Name, ParseFieldCondition(element.Value)));
            }
        }

        return clauses.Count == 1 ? clauses[0] : new AndFilter(clauses);
    }

    private static IFilter? ParseTopLevelOperator(BsonElement element)
    {
        switch (element.Name)
        {
            case "$and":
                return new AndFilter(ParseClauses(element));
            case "$or":
                return new OrFilter(ParseClauses(element));
            case "$nor":
                return new NorFilter(ParseClauses(element));
            case "$comment":
                return null;
            default:
                throw new MongoCommandError(ErrorCodes.BadValue, $"unknown top level operator: {element.Name}");
        }
    }

    private static List<IFilter> ParseClauses(BsonElement element)
    {
        if (element.Value is not BsonArray array || array.Count == 0)
        {
            throw new MongoCommandError(ErrorCodes.BadValue, $"{element.Name} must be a nonempty array");
        }

        return array.Select(item => item is BsonDocument
            ? Parse(item)
            : throw new MongoCommandError(ErrorCodes.BadValue, $"{element.Name} argument's entries must be objects")).ToList();
    }

    /// <summary>A field's condition: either a plain value (equality) or a document of operators.</summary>
    private static IValuePredicate ParseFieldCondition(BsonValue condition)
    {
        if (condition is BsonDocument operators && operators.ElementCount > 0 && operators.GetElement(0).Name.StartsWith('$'))
        {
            return ParseOperators(operators);
        }

        return new EqualsPredicate(condition);
    }

    private static IValuePredicate ParseOperators(BsonDocument operators)
    {
        var predicates = new List<IValuePredicate>();
        foreach (var element in operators)
        {
            switch (element.Name)
            {
                case "$options":
                    if (!operators.Contains("$regex"))
                    {
                        throw new MongoCommandError(ErrorCodes.BadValue, "$options needs a $regex");
                    }

                    break;
                default:
                    predicates.Add(ParseOperator(element, operators));
                    break;
            }
        }

        return predicates.Count == 1 ? predicates[0] : new AllOfPredicate(predicates);
    }

    private static IValuePredicate ParseOperator(BsonElement element, BsonDocument siblings)
    {
        var value = element.Value;
        switch (element.Name)
        {
            case "$eq":
                return new EqualsPredicate(value);
            case "$ne":
                return new NotPredicate(new EqualsPredicate(value));
            case "$gt":
            case "$gte":
            case "$lt":
            case "$lte":
                return new ComparisonPredicate(element.Name, value);
            case "$in":
                return new InPredicate(RequireArray(element));
            case "$nin":
                return new NotPredicate(new InPredicate(RequireArray(element)));
            case "$all":
                return new AllValuesPredicate(RequireArray(element));
            case "$exists":
                return new ExistsPredicate(value.ToBoolean());
            case "$size":
                return BsonOrder.IsNumber(value)
                    ? new SizePredicate(value.ToInt32())
                    : throw new MongoCommandError(ErrorCodes.BadValue, "$size needs a number");
            case "$regex":
                return new RegexPredicate(RegexPredicate.Compile(ToRegex(value, siblings)));
            case "$not":
                return new NotPredicate(value switch
                {
                    BsonRegularExpression regex => new RegexPredicate(RegexPredicate.Compile(regex)),
                    BsonDocument nested when nested.ElementCount > 0 => ParseOperators(nested),
                    _ => throw new MongoCommandError(ErrorCodes.BadValue, "$not needs a regex or a document"),
                });
            case "$elemMatch":
                return ParseElemMatch(value);
            case "$type":
                return ParseType(value);
            default:
                throw new MongoCommandError(ErrorCodes.BadValue, $"unknown operator: {element.Name}");
        }
    }

    private static List<BsonValue> RequireArray(BsonElement element) =>
        (element.Value as BsonArray)?.Values.ToList() ?? throw new MongoCommandError(ErrorCodes.BadValue, $"{element.Name} needs an array");

    private static BsonRegularExpression ToRegex(BsonValue value, BsonDocument siblings)
    {
        var options = siblings.GetValue("$options", BsonString.Empty).AsString;
        return value switch
        {
            BsonRegularExpression regex => options.Length == 0 ? regex : new BsonRegularExpression(regex.Pattern, options),
            BsonString pattern => new BsonRegularExpression(pattern.Value, options),
            _ => throw new MongoCommandError(ErrorCodes.BadValue, "$regex has to be a string"),
        };
    }

    private static ElemMatchPredicate ParseElemMatch(BsonValue value)
    {
        if (value is not BsonDocument condition)
        {
            throw new MongoCommandError(ErrorCodes.BadValue, "$elemMatch needs an Object");
        }

        // {$elemMatch: {$gt: 1}} tests scalar elements; {$elemMatch: {a: 1}} tests sub-documents.
        var first = condition.ElementCount > 0 ? condition.GetElement(0).Name : string.Empty;
        var isValueCondition = first.StartsWith('$') && first is not ("$and" or "$or" or "$nor");
        return isValueCondition
            ? new ElemMatchPredicate(null, ParseOperators(condition))
            : new ElemMatchPredicate(Parse(condition), null);
    }

    private static TypePredicate ParseType(BsonValue value)
    {
        var types = new List<BsonType>();
        var anyNumber = false;
        foreach (var item in value is BsonArray array ? array : [value])
        {
            if (item.IsString && item.AsString == "number")
            {
                anyNumber = true;
            }
            else if (item.IsString && TypeAliases.TryGetValue(item.AsString, out var aliased))
            {
                types.AddRange(aliased);
            }
            else if (BsonOrder.IsNumber(item))
            {
                types.Add((BsonType)item.ToInt32());
            }
            else
            {
                throw new MongoCommandError(ErrorCodes.BadValue, $"Unknown type name alias: {item}");
            }
        }

        return new TypePredicate(types, anyNumber);
    }
}
