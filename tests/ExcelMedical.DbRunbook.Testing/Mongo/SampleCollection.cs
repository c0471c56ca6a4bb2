using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.Testing.Mongo;

/// <summary>
/// One collection of the sample data set: how many documents per unit of scale, over how much
/// history their created_at spreads, its indexes, and how to build document i of n.
/// </summary>
internal sealed record SampleCollection(
    string Name,
    long PerScale,
    TimeSpan History,
    IReadOnlyList<CreateIndexModel<BsonDocument>> Indexes,
    Func<SampleContext, long, BsonDocument> Build)
{
    public long CountAt(int scale) => PerScale * scale;
}

/// <summary>What document factories need besides their index: the scale and the reference time.</summary>
internal sealed record SampleContext(int Scale, DateTimeOffset ReferenceTime);
