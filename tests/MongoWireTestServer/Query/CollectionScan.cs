using ExcelMedical.DbRunbook.MongoWireTestServer.Storage;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Query;

/// <summary>Filter → sort → skip → limit → projection over a collection, the way find runs them.</summary>
internal static class CollectionScan
{
    public static List<BsonDocument> Run(InMemoryCollection? collection, IFilter filter, SortSpecification? sort = null, int skip = 0, int? limit = null, Projection? projection = null)
    {
        if (collection is null)
        {
            return [];
        }

        var matches = collection.Documents.Select(r => r.Document).Where(filter.Matches);
        if (sort is not null)
        {
            matches = sort.Apply(matches);
        }

        matches = matches.Skip(skip);
        if (limit is > 0)
        {
            matches = matches.Take(limit.Value);
        }

        if (projection is not null)
        {
            matches = matches.Select(projection.Apply);
        }

        return matches.ToList();
    }
}
