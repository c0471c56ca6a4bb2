using ExcelMedical.DbRunbook.MongoWireTestServer.Commands;
using ExcelMedical.DbRunbook.MongoWireTestServer.Query;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Aggregation;

/// <summary>
/// $group with an _id expression (null, a constant, "$field" or a document of those) and the
/// accumulators $sum, $avg, $min, $max, $first, $last, $push, $addToSet and $count.
/// The driver's CountDocuments relies on {$group: {_id: 1, n: {$sum: 1}}}.
/// </summary>
internal sealed class GroupStage : IPipelineStage
{
    private static readonly HashSet<string> Accumulators = ["$sum", "$avg", "$min", "$max", "$first", "$last", "$push", "$addToSet", "$count"];

    private readonly BsonValue idExpression;
    private readonly List<(string Field, string Accumulator, BsonValue Expression)> fields = [];

    public GroupStage(BsonDocument specification)
    {
        if (!specification.TryGetValue("_id", out var id))
        {
            throw new MongoCommandError(15955, "a group specification must include an _id");
        }

        idExpression = id;
        foreach (var element in specification.Where(e => e.Name != "_id"))
        {
            if (element.Value is not BsonDocument { ElementCount: 1 } accumulator || !Accumulators.Contains(accumulator.GetElement(0).Name))
            {
                var name = element.Value is BsonDocument { ElementCount: > 0 } d ? d.GetElement(0).Name : element.Value.ToString();
                throw new MongoCommandError(15952, $"unknown group operator '{name}'");
            }

            fields.Add((element.Name, accumulator.GetElement(0).Name, accumulator[0]));
        }
    }

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, CommandContext context)
    {
        var groups = new Dictionary<BsonValue, List<BsonDocument>>(BsonValueEqualityComparer.Instance);
        var order = new List<BsonValue>();
        foreach (var document in input)
        {
            var key = ExpressionEvaluator.Evaluate(idExpression, document) ?? BsonNull.Value;
            if (!groups.TryGetValue(key, out var members))
            {
                members = [];
                groups.Add(key, members);
                order.Add(key);
            }

            members.Add(document);
        }

        foreach (var key in order)
        {
            var result = new BsonDocument("_id", key);
            foreach (var (field, accumulator, expression) in fields)
            {
                result[field] = Accumulate(accumulator, expression, groups[key]);
            }

            yield return result;
        }
    }

    private static BsonValue Accumulate(string accumulator, BsonValue expression, List<BsonDocument> members)
    {
        var values = members.Select(m => ExpressionEvaluator.Evaluate(expression, m)).ToList();
        var present = values.Where(v => v is not null && !v.IsBsonNull).Select(v => v!).ToList();
        switch (accumulator)
        {
            case "$count":
                return members.Count;
            case "$sum":
                return present.Where(BsonOrder.IsNumber).Aggregate((BsonValue)new BsonInt32(0), NumericSum.Add);
            case "$avg":
                var numbers = present.Where(BsonOrder.IsNumber).ToList();
                return numbers.Count == 0 ? BsonNull.Value : new BsonDouble(numbers.Average(n => n.ToDouble()));
            case "$min":
                return present.Count == 0 ? BsonNull.Value : present.Aggregate((a, b) => BsonOrder.Compare(b, a) < 0 ? b : a);
            case "$max":
                return present.Count == 0 ? BsonNull.Value : present.Aggregate((a, b) => BsonOrder.Compare(b, a) > 0 ? b : a);
            case "$first":
                return values[0] ?? BsonNull.Value;
            case "$last":
                return values[^1] ?? BsonNull.Value;
            case "$push":
                return new BsonArray(values.Where(v => v is not null).Select(v => v!));
            default:
                return new BsonArray(present.Distinct(BsonValueEqualityComparer.Instance));
        }
    }
}
