using ExcelMedical.DbRunbook.MongoWireTestServer.Commands;
using ExcelMedical.DbRunbook.MongoWireTestServer.Query;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Aggregation;

/// <summary>$match.</summary>
internal sealed class MatchStage(IFilter filter) : IPipelineStage
{
    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, CommandContext context) => input.Where(filter.Matches);
}

/// <summary>$sort.</summary>
internal sealed class SortStage(SortSpecification sort) : IPipelineStage
{
    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, CommandContext context) => sort.Apply(input);
}

/// <summary>$limit.</summary>
internal sealed class LimitStage(long limit) : IPipelineStage
{
    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, CommandContext context) => input.Take((int)Math.Min(limit, int.MaxValue));
}

/// <summary>$skip.</summary>
internal sealed class SkipStage(long skip) : IPipelineStage
{
    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, CommandContext context) => input.Skip((int)Math.Min(skip, int.MaxValue));
}

/// <summary>$project and $unset (an exclusion projection).</summary>
internal sealed class ProjectStage(Projection projection) : IPipelineStage
{
    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, CommandContext context) => input.Select(projection.Apply);
}

/// <summary>$addFields / $set: computed fields added to (a copy of) each document.</summary>
internal sealed class AddFieldsStage(BsonDocument fields) : IPipelineStage
{
    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, CommandContext context)
    {
        foreach (var document in input)
        {
            var result = document.DeepClone().AsBsonDocument;
            foreach (var field in fields)
            {
                var value = ExpressionEvaluator.Evaluate(field.Value, document);
                if (value is null)
                {
                    FieldPath.Remove(result, field.Name);
                }
                else
                {
                    FieldPath.Set(result, field.Name, value);
                }
            }

            yield return result;
        }
    }
}

/// <summary>$count: one {name: n} document, or nothing at all for empty input (as mongod does).</summary>
internal sealed class CountStage(string field) : IPipelineStage
{
    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, CommandContext context)
    {
        var count = input.Count();
        return count == 0 ? [] : [new BsonDocument(field, count)];
    }
}
