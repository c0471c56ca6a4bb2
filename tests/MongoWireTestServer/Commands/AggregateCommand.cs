using ExcelMedical.DbRunbook.MongoWireTestServer.Aggregation;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>aggregate on a collection, or {aggregate: 1} for database-level sources such as $currentOp.</summary>
internal sealed class AggregateCommand : ICommandFamily
{
    public void Register(CommandTable table) => table.Add("aggregate", Aggregate);

    private static BsonDocument Aggregate(CommandContext context)
    {
        var stages = PipelineParser.Parse(CommandArguments.RequiredArray(context.Command, "pipeline"));
        if (CommandArguments.Flag(context.Command, "explain"))
        {
            throw new MongoCommandError(ErrorCodes.CommandNotSupported, "explain is not supported by MongoWireTestServer");
        }

        var cursorOptions = CommandArguments.OptionalDocument(context.Command, "cursor")
            ?? throw new MongoCommandError(ErrorCodes.FailedToParse, "The 'cursor' option is required, except for aggregate with the explain argument");
        var source = stages.Count > 0 ? stages[0] as ISourceStage : null;
        var databaseLevel = !context.Argument.IsString;
        IEnumerable<BsonDocument> documents;
        string collectionNamespace;
        if (databaseLevel)
        {
            if (source is not { IsDatabaseLevel: true } || context.Database != "admin")
            {
                throw new MongoCommandError(
                    ErrorCodes.InvalidNamespace,
                    "{aggregate: 1} is only supported here with $currentOp as the first stage, run against the admin database");
            }

            documents = [];
            collectionNamespace = $"{context.Database}.$cmd.aggregate";
        }
        else
        {
            if (source is { IsDatabaseLevel: true })
            {
                throw new MongoCommandError(ErrorCodes.InvalidNamespace, "$currentOp must be run against the 'admin' database with {aggregate: 1}");
            }

            documents = source is null ? context.FindCollection()?.Documents.Select(r => r.Document) ?? [] : [];
            collectionNamespace = context.Namespace;
        }

        foreach (var stage in stages)
        {
            documents = stage.Execute(documents, context);
        }

        var results = documents.ToList();
        return CursorReplies.FirstBatch(context, collectionNamespace, results, CommandArguments.OptionalInt(cursorOptions, "batchSize"));
    }
}
