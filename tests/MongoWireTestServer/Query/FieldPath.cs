using System.Globalization;
using ExcelMedical.DbRunbook.MongoWireTestServer.Commands;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Query;

/// <summary>Dot-notation access to document fields ("address.city", "items.0.sku").</summary>
internal static class FieldPath
{
    /// <summary>
    /// Every value a query path reaches, descending into arrays of sub-documents the way
    /// MongoDB's matcher does ({"items.sku": "x"} looks at the sku of every item).
    /// An empty result means the field is missing.
    /// </summary>
    public static List<BsonValue> Resolve(BsonDocument document, string path)
    {
        var results = new List<BsonValue>();
        Collect(document, path.Split('.'), 0, results);
        return results;
    }

    /// <summary>The value at a path without array fan-out (numeric segments still index arrays).</summary>
    public static BsonValue? Get(BsonDocument document, string path)
    {
        BsonValue current = document;
        foreach (var part in path.Split('.'))
        {
            switch (current)
            {
                case BsonDocument nested when nested.TryGetValue(part, out var value):
                    current = value;
                    break;
                case BsonArray array when TryIndex(part, out var index) && index < array.Count:
                    current = array[index];
                    break;
                default:
                    return null;
            }
        }

        return current;
    }

    /// <summary>Sets a value, creating the intermediate documents an update needs.</summary>
    public static void Set(BsonDocument document, string path, BsonValue value)
    {
        var parts = path.Split('.');
        BsonValue current = document;
        for (var i = 0; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            var part = parts[i];
            if (current is BsonDocument nested)
            {
                if (last)
                {
                    nested[part] = value;
                    return;
                }

                if (!nested.TryGetValue(part, out var next) || next.IsBsonNull)
                {
                    next = new BsonDocument();
                    nested[part] = next;
                }

                current = next;
            }
            else if (current is BsonArray array && TryIndex(part, out var index))
            {
                while (array.Count <= index)
                {
                    array.Add(BsonNull.Value);
                }

                if (last)
                {
                    array[index] = value;
                    return;
                }

                if (array[index] is not BsonDocument and not BsonArray)
                {
                    array[index] = new BsonDocument();
                }

                current = array[index];
            }
            else
            {
                throw new MongoCommandError(
                    ErrorCodes.PathNotViable,
                    $"Cannot create field '{part}' in element {{{parts[i - 1]}: {current}}}");
            }
        }
    }

    /// <summary>Removes the field at a path; returns whether something was removed.</summary>
    public static bool Remove(BsonDocument document, string path)
    {
        var parts = path.Split('.');
        BsonValue current = document;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            var next = current switch
            {
                BsonDocument nested when nested.TryGetValue(parts[i], out var value) => value,
                BsonArray array when TryIndex(parts[i], out var index) && index < array.Count => array[index],
                _ => null,
            };
            if (next is null)
            {
                return false;
            }

            current = next;
        }

        var leaf = parts[^1];
        switch (current)
        {
            case BsonDocument parent when parent.Contains(leaf):
                parent.Remove(leaf);
                return true;
            case BsonArray array when TryIndex(leaf, out var index) && index < array.Count:
                // $unset on an array element leaves a null hole, as MongoDB does.
                array[index] = BsonNull.Value;
                return true;
            default:
                return false;
        }
    }

    private static void Collect(BsonValue current, string[] parts, int index, List<BsonValue> results)
    {
        if (index == parts.Length)
        {
            results.Add(current);
            return;
        }

        switch (current)
        {
            case BsonDocument document:
                if (document.TryGetValue(parts[index], out var value))
                {
                    Collect(value, parts, index + 1, results);
                }

                break;
            case BsonArray array:
                if (TryIndex(parts[index], out var position) && position < array.Count)
                {
                    Collect(array[position], parts, index + 1, results);
                }

                foreach (var item in array)
                {
                    if (item is BsonDocument)
                    {
                        Collect(item, parts, index, results);
                    }
                }

                break;
        }
    }

    private static bool TryIndex(string part, out int index) =>
        int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out index);
}
