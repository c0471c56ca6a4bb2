using ExcelMedical.DbRunbook.MongoWireTestServer.Storage;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>The storage statistics shared by collStats, $collStats' storageStats and dbStats.</summary>
internal static class StatisticsReports
{
    /// <summary>collStats fields; a missing collection reports zeros, as mongod does since 4.2.</summary>
    public static BsonDocument Collection(InMemoryCollection? collection, long scale)
    {
        var count = collection?.Count ?? 0;
        var size = collection?.DataSize ?? 0;
        var indexSizes = new BsonDocument();
        foreach (var index in collection?.Indexes ?? [])
        {
            indexSizes[index.Name] = collection!.IndexSize(index) / scale;
        }

        var storageSize = collection?.StorageSize ?? 0;
        var totalIndexSize = collection?.TotalIndexSize ?? 0;
        return new BsonDocument
        {
            { "size", size / scale },
            { "count", count },
            { "avgObjSize", count == 0 ? 0 : (int)(size / count) },
            { "numOrphanDocs", 0 },
            { "storageSize", storageSize / scale },
            { "freeStorageSize", (collection?.FreeStorageSize ?? 0) / scale },
            { "capped", collection?.Options.GetValue("capped", false).ToBoolean() ?? false },
            { "nindexes", collection?.Indexes.Count ?? 0 },
            { "indexBuilds", new BsonArray() },
            { "totalIndexSize", totalIndexSize / scale },
            { "totalSize", (storageSize + totalIndexSize) / scale },
            { "indexSizes", indexSizes },
            { "scaleFactor", scale },
        };
    }

    public static BsonDocument Database(string name, InMemoryDatabase? database, long scale)
    {
        var collections = database?.Collections.ToList() ?? [];
        var objects = collections.Sum(c => (long)c.Count);
        var dataSize = collections.Sum(c => c.DataSize);
        var storageSize = collections.Sum(c => c.StorageSize);
        var indexSize = collections.Sum(c => c.TotalIndexSize);
        var (fsUsed, fsTotal) = FileSystemSizes();
        return new BsonDocument
        {
            { "db", name },
            { "collections", collections.Count },
            { "views", 0 },
            { "objects", objects },
            { "avgObjSize", objects == 0 ? 0.0 : (double)dataSize / objects },
            { "dataSize", (double)(dataSize / scale) },
            { "storageSize", (double)(storageSize / scale) },
            { "indexes", collections.Sum(c => (long)c.Indexes.Count) },
            { "indexSize", (double)(indexSize / scale) },
            { "totalSize", (double)((storageSize + indexSize) / scale) },
            { "scaleFactor", scale },
            { "fsUsedSize", (double)(fsUsed / scale) },
            { "fsTotalSize", (double)(fsTotal / scale) },
            { "ok", 1.0 },
        };
    }

    /// <summary>Real numbers for the disk holding the temp directory, where a real mongod's dbPath would likely be.</summary>
    private static (long Used, long Total) FileSystemSizes()
    {
        try
        {
            var drive = new DriveInfo(Path.GetTempPath());
            return (drive.TotalSize - drive.AvailableFreeSpace, drive.TotalSize);
        }
        catch (Exception unavailable) when (unavailable is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return (0, 0);
        }
    }
}
