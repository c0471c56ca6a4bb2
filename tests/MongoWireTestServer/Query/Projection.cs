using ExcelMedical.DbRunbook.MongoWireTestServer.Commands;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Query;

/// <summary>
/// A find projection or $project stage: inclusion ({a: 1, "b.c": 1}), exclusion ({a: 0}),
/// _id suppression, and computed fields ({total: "$amount"}) in inclusion mode.
/// </summary>
internal sealed class Projection
{
    private readonly PathTree paths = new();
    private readonly List<(string Path, BsonValue Expression)> computed = [];
    private readonly bool inclusion;
    private readonly bool includeId = true;

    private Projection(BsonDocument specification)
    {
        bool? mode = null;
        foreach (var element in specification)
        {
            var value = element.Value;
            if (element.Name == "_id" && IsFlag(value))
            {
                includeId = value.ToBoolean();
                continue;
            }

            if (IsFlag(value))
            {
                var include = value.ToBoolean();
                if (mode is not null && mode != include)
                {
                    var (kind, opposite) = include ? ("inclusion", "exclusion") : ("exclusion", "inclusion");
                    throw new MongoCommandError(
                        include ? 31253 : 31254,
                        $"Cannot do {kind} on field {element.Name} in {opposite} projection");
                }

                mode = include;
                paths.Add(element.Name);
            }
            else
            {
                if (mode == false)
                {
                    throw new MongoCommandError(31252, $"Cannot use expression other than $meta in exclusion projection");
                }

                mode = true;
                computed.Add((element.Name, value));
            }
        }

        // {_id: 0} alone is an exclusion projection; anything else with an inclusion is inclusion.
        inclusion = mode ?? false;
        if (!inclusion && !includeId)
        {
            paths.Add("_id");
        }
    }

    public static Projection? Parse(BsonValue? specification)
    {
        if (specification is null || specification.IsBsonNull || (specification is BsonDocument empty && empty.ElementCount == 0))
        {
            return null;
        }

        return specification is BsonDocument document
            ? new Projection(document)
            : throw new MongoCommandError(ErrorCodes.TypeMismatch, "projection must be an object");
    }

    public BsonDocument Apply(BsonDocument document)
    {
        if (!inclusion)
        {
            return Exclude(document, paths);
        }

        var result = new BsonDocument();
        if (includeId && document.TryGetValue("_id", out var id))
        {
            result["_id"] = id;
        }

        Include(document, paths, result);
        foreach (var (path, expression) in computed)
        {
            var value = ExpressionEvaluator.Evaluate(expression, document);
            if (value is not null)
            {
                FieldPath.Set(result, path, value);
            }
        }

        return result;
    }

    private static bool IsFlag(BsonValue value) => value.IsBoolean || BsonOrder.IsNumber(value);

    private static void Include(BsonDocument source, PathTree tree, BsonDocument target)
    {
        foreach (var element in source)
        {
            if (!tree.Children.TryGetValue(element.Name, out var child) || element.Name == "_id" && target.Contains("_id"))
            {
                continue;
            }

            if (child.IsLeaf)
            {
                target[element.Name] = element.Value;
            }
            else if (element.Value is BsonDocument nested)
            {
                var projected = new BsonDocument();
                Include(nested, child, projected);
                target[element.Name] = projected;
            }
            else if (element.Value is BsonArray array)
            {
                target[element.Name] = new BsonArray(array.OfType<BsonDocument>().Select(item =>
                {
                    var projected = new BsonDocument();
                    Include(item, child, projected);
                    return projected;
                }));
            }
        }
    }

    private static BsonDocument Exclude(BsonDocument source, PathTree tree)
    {
        var result = new BsonDocument();
        foreach (var element in source)
        {
            if (!tree.Children.TryGetValue(element.Name, out var child))
            {
                result[element.Name] = element.Value;
            }
            else if (!child.IsLeaf)
            {
                result[element.Name] = element.Value switch
                {
                    BsonDocument nested => Exclude(nested, child),
                    BsonArray array => new BsonArray(array.Select(item => item is BsonDocument d ? Exclude(d, child) : item)),
                    var other => other,
                };
            }
        }

        return result;
    }

    /// <summary>Dotted projection paths folded into a tree ("a.b", "a.c" → a → {b, c}).</summary>
    private sealed class PathTree
    {
        public Dictionary<string, PathTree> Children { get; } = new(StringComparer.Ordinal);

        public bool IsLeaf => Children.Count == 0;

        public void Add(string path)
        {
            var node = this;
            var parts = path.Split('.');
            for (var i = 0; i < parts.Length; i++)
            {
                if (!node.Children.TryGetValue(parts[i], out var child))
                {
                    child = new PathTree();
                    node.Children[parts[i]] = child;
                }
                else if (child.IsLeaf)
                {
                    // A parent path already covers everything below it.
                    return;
                }

                if (i == parts.Length - 1)
                {
                    child.Children.Clear();
                }

                node = child;
            }
        }
    }
}
