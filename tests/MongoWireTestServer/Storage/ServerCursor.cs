using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Storage;

/// <summary>
/// An open cursor: the result snapshot taken when find/aggregate ran, and how far the
/// client has read. getMore hands out the next batch.
/// </summary>
internal sealed class ServerCursor(long id, string collectionNamespace, IReadOnlyList<BsonDocument> results)
{
    /// <summary>mongod's default size for a first batch when the client names none.</summary>
    public const int DefaultFirstBatchSize = 101;

    /// <summary>Replies stay under the 16 MiB BSON limit with room for the envelope.</summary>
    private const int MaxBatchBytes = (16 * 1024 * 1024) - (16 * 1024);

    private readonly Lock gate = new();
    private int position;

    public long Id { get; } = id;

    public string Namespace { get; } = collectionNamespace;

    public bool IsExhausted
    {
        get
        {
            lock (gate)
            {
                return position >= results.Count;
            }
        }
    }

    /// <param name="batchSize">Documents wanted; null means "as many as fit" (getMore) .</param>
    public BsonArray NextBatch(int? batchSize)
    {
        lock (gate)
        {
            var batch = new BsonArray();
            var bytes = 0;
            var limit = batchSize ?? int.MaxValue;
            while (position < results.Count && batch.Count < limit)
            {
                var size = results[position].ToBson().Length;
                if (batch.Count > 0 && bytes + size > MaxBatchBytes)
                {
                    break;
                }

                batch.Add(results[position]);
                bytes += size;
                position++;
            }

            return batch;
        }
    }
}
