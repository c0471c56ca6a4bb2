using System.Text.RegularExpressions;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Query;

/// <summary>$eq and implicit equality: also true when an array field contains the value.</summary>
internal sealed class EqualsPredicate(BsonValue expected) : IValuePredicate
{
    public bool Matches(IReadOnlyList<BsonValue> candidates)
    {
        if (expected is BsonRegularExpression regex)
        {
            return new RegexPredicate(RegexPredicate.Compile(regex)).Matches(candidates);
        }

        if (expected.IsBsonNull && candidates.Count == 0)
        {
            // {field: null} also matches documents that lack the field.
            return true;
        }

        foreach (var candidate in candidates)
        {
            if (BsonOrder.AreEqual(candidate, expected))
            {
                return true;
            }

            if (candidate is BsonArray array && array.Any(item => BsonOrder.AreEqual(item, expected)))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Negation, used for $ne, $nin and $not: a missing field satisfies it.</summary>
internal sealed class NotPredicate(IValuePredicate inner) : IValuePredicate
{
    public bool Matches(IReadOnlyList<BsonValue> candidates) => !inner.Matches(candidates);
}

/// <summary>All of several operators on one field ({$gte: a, $lt: b}).</summary>
internal sealed class AllOfPredicate(IReadOnlyList<IValuePredicate> predicates) : IValuePredicate
{
    public bool Matches(IReadOnlyList<BsonValue> candidates) => predicates.All(p => p.Matches(candidates));
}

/// <summary>$in: equality with any listed value (regular expressions allowed).</summary>
internal sealed class InPredicate(IReadOnlyList<BsonValue> values) : IValuePredicate
{
    private readonly EqualsPredicate[] alternatives = values.Select(v => new EqualsPredicate(v)).ToArray();

    public bool Matches(IReadOnlyList<BsonValue> candidates) => alternatives.Any(a => a.Matches(candidates));
}

/// <summary>$all: every listed value is present.</summary>
internal sealed class AllValuesPredicate(IReadOnlyList<BsonValue> values) : IValuePredicate
{
    public bool Matches(IReadOnlyList<BsonValue> candidates) =>
        values.Count > 0 && values.All(v => new EqualsPredicate(v).Matches(candidates));
}

/// <summary>$exists.</summary>
internal sealed class ExistsPredicate(bool shouldExist) : IValuePredicate
{
    public bool Matches(IReadOnlyList<BsonValue> candidates) => candidates.Count > 0 == shouldExist;
}

/// <summary>$size: the field is an array of exactly that length.</summary>
internal sealed class SizePredicate(int size) : IValuePredicate
{
    public bool Matches(IReadOnlyList<BsonValue> candidates) =>
        candidates.Any(c => c is BsonArray array && array.Count == size);
}

/// <summary>
/// $gt, $gte, $lt, $lte. Like MongoDB, values only compare within one type bracket:
/// {$gt: 5} never matches a string, {$lt: date} never matches a number.
/// </summary>
internal sealed class ComparisonPredicate(string op, BsonValue bound) : IValuePredicate
{
    public bool Matches(IReadOnlyList<BsonValue> candidates)
    {
        if (candidates.Count == 0)
        {
            // A missing field compares as null, so only {$gte: null} / {$lte: null} match it.
            return bound.IsBsonNull && op is "$gte" or "$lte";
        }

        foreach (var candidate in candidates)
        {
            if (Test(candidate))
            {
                return true;
            }

            if (candidate is BsonArray array && array.Any(Test))
            {
                return true;
            }
        }

        return false;
    }

    private bool Test(BsonValue value)
    {
        if (BsonOrder.Rank(value) != BsonOrder.Rank(bound))
        {
            return false;
        }

        var order = BsonOrder.Compare(value, bound);
        return op switch
        {
            "$gt" => order > 0,
            "$gte" => order >= 0,
            "$lt" => order < 0,
            _ => order <= 0,
        };
    }
}

/// <summary>$regex and regular-expression equality; applies to strings and string array elements.</summary>
internal sealed class RegexPredicate(Regex regex) : IValuePredicate
{
    public static Regex Compile(BsonRegularExpression expression)
    {
        var options = RegexOptions.CultureInvariant;
        foreach (var flag in expression.Options)
        {
            options |= flag switch
            {
                'i' => RegexOptions.IgnoreCase,
                'm' => RegexOptions.Multiline,
                's' => RegexOptions.Singleline,
                'x' => RegexOptions.IgnorePatternWhitespace,
                _ => RegexOptions.None,
            };
        }

        return new Regex(expression.Pattern, options, TimeSpan.FromSeconds(5));
    }

    public bool Matches(IReadOnlyList<BsonValue> candidates)
    {
        foreach (var candidate in candidates)
        {
            if (candidate.IsString && regex.IsMatch(candidate.AsString))
            {
                return true;
            }

            if (candidate is BsonArray array && array.Any(item => item.IsString && regex.IsMatch(item.AsString)))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>$type, by number or alias (including "number").</summary>
internal sealed class TypePredicate(IReadOnlyList<BsonType> types, bool anyNumber) : IValuePredicate
{
    public bool Matches(IReadOnlyList<BsonValue> candidates)
    {
        foreach (var candidate in candidates)
        {
            if (Test(candidate))
            {
                return true;
            }

            if (candidate is BsonArray array && array.Any(Test))
            {
                return true;
            }
        }

        return false;
    }

    private bool Test(BsonValue value) => types.Contains(value.BsonType) || (anyNumber && BsonOrder.IsNumber(value));
}

/// <summary>$elemMatch: one array element satisfies the whole condition.</summary>
internal sealed class ElemMatchPredicate(IFilter? documentFilter, IValuePredicate? valuePredicate) : IValuePredicate
{
    public bool Matches(IReadOnlyList<BsonValue> candidates)
    {
        foreach (var candidate in candidates)
        {
            if (candidate is not BsonArray array)
            {
                continue;
            }

            foreach (var item in array)
            {
                if (valuePredicate is not null && valuePredicate.Matches([item]))
                {
                    return true;
                }

                if (documentFilter is not null && item is BsonDocument document && documentFilter.Matches(document))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
