using ExcelMedical.DbRunbook.MongoWireTestServer.Query;
using ExcelMedical.DbRunbook.MongoWireTestServer.Storage;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>listDatabases and dropDatabase.</summary>
internal sealed class DatabaseCommands : ICommandFamily
{
    public void Register(CommandTable table)
    {
        table.Add("listDatabases", ListDatabases);
        table.Add("dropDatabase", DropDatabase);
    }

    public static long SizeOnDisk(InMemoryDatabase database) =>
        database.Collections.Sum(c => c.StorageSize + c.TotalIndexSize);

    private static BsonDocument ListDatabases(CommandContext context)
    {
        context.RequireAdminDatabase();
        var nameOnly = CommandArguments.Flag(context.Command, "nameOnly");
        var filter = FilterParser.Parse(CommandArguments.OptionalDocument(context.Command, "filter"));
        var entries = new BsonArray();
        var total = 0L;
        foreach (var database in context.Store.Databases)
        {
            var size = SizeOnDisk(database);
            var entry = nameOnly
                ? new BsonDocument("name", database.Name)
                : new BsonDocument { { "name", database.Name }, { "sizeOnDisk", size }, { "empty", false } };
            if (filter.Matches(entry))
            {
                entries.Add(entry);
                total += size;
            }
        }

        var reply = new BsonDocument("databases", entries);
        if (!nameOnly)
        {
            reply["totalSize"] = total;
            reply["totalSizeMb"] = total / (1024 * 1024);
        }

        reply["ok"] = 1.0;
        return reply;
    }

    private static BsonDocument DropDatabase(CommandContext context)
    {
        var existed = context.Store.FindDatabase(context.Database) is not null;
        context.Store.DropDatabase(context.Database);
        var reply = new BsonDocument();
        if (existed)
        {
            reply["dropped"] = context.Database;
        }

        reply["ok"] = 1.0;
        return reply;
    }
}
