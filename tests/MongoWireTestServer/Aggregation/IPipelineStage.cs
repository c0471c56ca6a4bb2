using ExcelMedical.DbRunbook.MongoWireTestServer.Commands;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Aggregation;

/// <summary>One aggregation stage: documents in, documents out.</summary>
internal interface IPipelineStage
{
    IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, CommandContext context);
}

/// <summary>A stage that produces its own documents and must come first ($collStats, $currentOp).</summary>
internal interface ISourceStage : IPipelineStage
{
    /// <summary>Whether the stage runs as {aggregate: 1} (database-level) rather than on a collection.</summary>
    bool IsDatabaseLevel { get; }
}
