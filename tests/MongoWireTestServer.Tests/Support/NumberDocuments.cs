using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Tests.Support;

/// <summary>
/// A predictable collection for query tests: document n has _id n, n, group n % 3, parity,
/// and an "optional" field only when n is a multiple of 5.
/// </summary>
public static class NumberDocuments
{
    public static BsonDocument Create(int n)
    {
        var document = new BsonDocument
        {
            { "_id", n },
            { "n", n },
            { "group", n % 3 },
            { "parity", n % 2 == 0 ? "even" : "odd" },
        };
        if (n % 5 == 0)
        {
            document["optional"] = n;
        }

        return document;
    }

    public static async Task<IMongoCollection<BsonDocument>> SeedAsync(IMongoDatabase database, string name, int count)
    {
        var collection = database.GetCollection<BsonDocument>(name);
        await collection.InsertManyAsync(Enumerable.Range(0, count).Select(Create));
        return collection;
    }
}
