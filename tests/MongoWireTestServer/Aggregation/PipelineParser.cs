using ExcelMedical.DbRunbook.MongoWireTestServer.Commands;
using ExcelMedical.DbRunbook.MongoWireTestServer.Query;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Aggregation;

/// <summary>Parses a pipeline array into stages, with mongod's errors for malformed or unknown stages.</summary>
internal static class PipelineParser
{
    public static List<IPipelineStage> Parse(BsonArray pipeline)
    {
        var stages = new List<IPipelineStage>();
        foreach (var item in pipeline)
        {
            if (item is not BsonDocument { ElementCount: 1 } stage)
            {
                throw new MongoCommandError(40323, "A pipeline stage specification object must contain exactly one field.");
            }

            var parsed = ParseStage(stage.GetElement(0));
            if (parsed is ISourceStage && stages.Count > 0)
            {
                throw new MongoCommandError(40602, $"{stage.GetElement(0).Name} is only valid as the first stage in a pipeline.");
            }

            stages.Add(parsed);
        }

        return stages;
    }

    private static IPipelineStage ParseStage(BsonElement stage) => stage.Name switch
    {
        "$match" => new MatchStage(FilterParser.Parse(Document(stage))),
        "$sort" => new SortStage(SortSpecification.Parse(Document(stage))
            ?? throw new MongoCommandError(15976, "$sort stage must have at least one sort key")),
        "$limit" => new LimitStage(Positive(stage)),
        "$skip" => new SkipStage(NonNegative(stage)),
        "$count" => new CountStage(CountField(stage.Value)),
        "$project" => new ProjectStage(Projection.Parse(Document(stage))
            ?? throw new MongoCommandError(51272, "Invalid $project :: caused by :: projection specification must have at least one field")),
        "$unset" => new ProjectStage(Projection.Parse(UnsetSpecification(stage.Value))!),
        "$addFields" or "$set" => new AddFieldsStage(Document(stage)),
        "$group" => new GroupStage(Document(stage)),
        "$collStats" => new CollStatsStage(Document(stage)),
        "$currentOp" => new CurrentOpStage(Document(stage)),
        _ => throw new MongoCommandError(40324, $"Unrecognized pipeline stage name: '{stage.Name}'"),
    };

    private static BsonDocument Document(BsonElement stage) =>
        stage.Value as BsonDocument ?? throw new MongoCommandError(ErrorCodes.FailedToParse, $"the {stage.Name} stage specification must be an object");

    private static long Positive(BsonElement stage) =>
        BsonOrder.IsNumber(stage.Value) && stage.Value.ToInt64() > 0
            ? stage.Value.ToInt64()
            : throw new MongoCommandError(15958, "the limit must be positive");

    private static long NonNegative(BsonElement stage) =>
        BsonOrder.IsNumber(stage.Value) && stage.Value.ToInt64() >= 0
            ? stage.Value.ToInt64()
            : throw new MongoCommandError(15956, "invalid argument to $skip stage: value must be non-negative");

    private static string CountField(BsonValue value)
    {
        if (value is not BsonString { Value.Length: > 0 } name)
        {
            throw new MongoCommandError(40156, "the count field must be a non-empty string");
        }

        if (name.Value.StartsWith('$') || name.Value.Contains('.', StringComparison.Ordinal))
        {
            throw new MongoCommandError(40158, "the count field cannot be a $-prefixed path or contain a '.'");
        }

        return name.Value;
    }

    private static BsonDocument UnsetSpecification(BsonValue value)
    {
        var fields = value is BsonArray array ? array : [value];
        var specification = new BsonDocument();
        foreach (var field in fields)
        {
            specification[field.AsString] = 0;
        }

        return specification;
    }
}
