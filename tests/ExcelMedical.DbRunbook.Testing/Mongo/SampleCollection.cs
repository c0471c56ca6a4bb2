using System.Buffers.Binary;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.Testing.Mongo;

/// <summary>
/// One collection of the sample data set: how many documents per unit of scale, over how much
/// history their created_at spreads, its indexes, and how to build document i (the factory gets
/// the collection itself, for <see cref="IdOf"/> and <see cref="CreatedAt"/>).
/// </summary>
internal sealed record SampleCollection(
    string Name,
    long PerScale,
    TimeSpan History,
    IReadOnlyList<CreateIndexModel<BsonDocument>> Indexes,
    Func<SampleCollection, SampleContext, long, BsonDocument> Factory)
{
    public long CountAt(int scale) => PerScale * scale;

    public BsonDocument Build(SampleContext context, long index) => Factory(this, context, index);

    public DateTime CreatedAt(SampleContext context, long index) =>
        SampleTimeline.CreatedAt(index, CountAt(context.Scale), History, context.ReferenceTime).UtcDateTime;

    /// <summary>
    /// An ObjectId shaped like a real one (creation time in its first four bytes, so _id order is
    /// creation order) whose other bytes are a tag of the collection name and the index, not chance.
    /// </summary>
    public ObjectId IdOf(SampleContext context, long index)
    {
        var bytes = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)new DateTimeOffset(CreatedAt(context, index)).ToUnixTimeSeconds());
        bytes[4] = (byte)Name.Length;
        bytes[5] = (byte)Name[0];
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(6), 0x5a17);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), (uint)index);
        return new ObjectId(bytes);
    }
}

/// <summary>What document factories need besides their index: the scale and the reference time.</summary>
internal sealed record SampleContext(int Scale, DateTimeOffset ReferenceTime);
