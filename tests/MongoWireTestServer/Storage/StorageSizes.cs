namespace ExcelMedical.DbRunbook.MongoWireTestServer.Storage;

/// <summary>
/// Plausible WiredTiger-like sizes derived from BSON byte counts. Real sizes depend on
/// compression and page layout; tests only need numbers that are deterministic, grow
/// with the data and are never below one 4 KiB page.
/// </summary>
internal static class StorageSizes
{
    private const long Page = 4096;

    /// <summary>Bytes on disk for the given (high-water mark of) data bytes: ~2:1 compression.</summary>
    public static long StorageSize(long allocatedDataBytes) => Page + RoundUp(allocatedDataBytes / 2);

    /// <summary>Bytes for one index: 16 bytes per key after prefix compression, one page minimum.</summary>
    public static long IndexSize(long entries) => Page + RoundUp(entries * 16);

    private static long RoundUp(long bytes) => (bytes + Page - 1) / Page * Page;
}
