using ExcelMedical.DbRunbook.MongoWireTestServer.Commands;
using ExcelMedical.DbRunbook.MongoWireTestServer.Diagnostics;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Aggregation;

/// <summary>$currentOp: one document per in-flight operation (including this aggregate, as mongod does).</summary>
internal sealed class CurrentOpStage : ISourceStage
{
    public CurrentOpStage(BsonDocument options)
    {
        foreach (var option in options.Names)
        {
            if (option is not ("allUsers" or "idleConnections" or "idleCursors" or "idleSessions" or "localOps" or "truncateOps" or "backtrace"))
            {
                throw new MongoCommandError(ErrorCodes.FailedToParse, $"BSON field '$currentOp.{option}' is an unknown field.");
            }
        }
    }

    public bool IsDatabaseLevel => true;

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, CommandContext context) =>
        context.Server.Operations.Snapshot().Select(op => CurrentOpEntry.Describe(op, context.Server.Host, context.Now)).ToList();
}
