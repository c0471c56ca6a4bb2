using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>dbStats and collStats, both honouring the "scale" argument.</summary>
internal sealed class StatsCommands : ICommandFamily
{
    public void Register(CommandTable table)
    {
        table.Add("dbStats", DbStats);
        table.Add("dbstats", DbStats);
        table.Add("collStats", CollStats);
        table.Add("collstats", CollStats);
    }

    /// <summary>A database that does not exist reports zeros, as in mongod.</summary>
    private static BsonDocument DbStats(CommandContext context) =>
        StatisticsReports.Database(context.Database, context.Store.FindDatabase(context.Database), CommandArguments.Scale(context.Command));

    private static BsonDocument CollStats(CommandContext context)
    {
        var reply = new BsonDocument("ns", context.Namespace);
        reply.AddRange(StatisticsReports.Collection(context.FindCollection(), CommandArguments.Scale(context.Command)));
        reply["ok"] = 1.0;
        return reply;
    }
}
