using ExcelMedical.DbRunbook.MongoWireTestServer.Commands;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Query;

/// <summary>
/// The small part of the aggregation expression language this server understands:
/// literals, "$field.path" references, $$ROOT, nested documents/arrays and $literal.
/// Any other operator is reported the way mongod reports an unknown one.
/// </summary>
internal static class ExpressionEvaluator
{
    /// <returns>The value, or null when a field reference points at a missing field.</returns>
    public static BsonValue? Evaluate(BsonValue expression, BsonDocument root)
    {
        switch (expression)
        {
            case BsonString text when text.Value.StartsWith("$$", StringComparison.Ordinal):
                return EvaluateVariable(text.Value, root);
            case BsonString text when text.Value.StartsWith('$'):
                return EvaluateFieldPath(root, text.Value[1..]);
            case BsonDocument document when document.ElementCount == 1 && document.GetElement(0).Name.StartsWith('$'):
                return EvaluateOperator(document.GetElement(0));
            case BsonDocument document:
                var result = new BsonDocument();
                foreach (var element in document)
                {
                    var value = Evaluate(element.Value, root);
                    if (value is not null)
                    {
                        result[element.Name] = value;
                    }
                }

                return result;
            case BsonArray array:
                return new BsonArray(array.Select(item => Evaluate(item, root) ?? BsonNull.Value));
            default:
                return expression;
        }
    }

    private static BsonValue? EvaluateVariable(string reference, BsonDocument root)
    {
        var dot = reference.IndexOf('.', StringComparison.Ordinal);
        var name = dot < 0 ? reference[2..] : reference[2..dot];
        if (name is not ("ROOT" or "CURRENT"))
        {
            throw new MongoCommandError(17276, $"Use of undefined variable: {name}");
        }

        return dot < 0 ? root : EvaluateFieldPath(root, reference[(dot + 1)..]);
    }

    /// <summary>Aggregation path semantics: a path through an array of documents yields an array.</summary>
    private static BsonValue? EvaluateFieldPath(BsonValue current, string path)
    {
        var dot = path.IndexOf('.', StringComparison.Ordinal);
        var head = dot < 0 ? path : path[..dot];
        var rest = dot < 0 ? null : path[(dot + 1)..];
        switch (current)
        {
            case BsonDocument document when document.TryGetValue(head, out var value):
                return rest is null ? value : EvaluateFieldPath(value, rest);
            case BsonArray array:
                var mapped = new BsonArray();
                foreach (var item in array.OfType<BsonDocument>())
                {
                    var value = EvaluateFieldPath(item, path);
                    if (value is not null)
                    {
                        mapped.Add(value);
                    }
                }

                return mapped;
            default:
                return null;
        }
    }

    private static BsonValue EvaluateOperator(BsonElement element) => element.Name switch
    {
        "$literal" => element.Value,
        _ => throw new MongoCommandError(
            ErrorCodes.InvalidPipelineOperator,
            $"Unrecognized expression '{element.Name}'"),
    };
}
