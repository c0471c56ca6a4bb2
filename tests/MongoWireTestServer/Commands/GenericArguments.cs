namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>
/// Fields any command may carry (sessions, read preference, API version, cluster time...).
/// They are accepted and ignored, and kept out of stored options such as create's.
/// </summary>
internal static class GenericArguments
{
    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "$db", "lsid", "$readPreference", "apiVersion", "apiStrict", "apiDeprecationErrors", "$clusterTime",
        "txnNumber", "autocommit", "startTransaction", "writeConcern", "readConcern", "comment", "maxTimeMS",
        "$audit", "$client", "mayBypassWriteBlocking", "$configServerState", "$gleStats", "clientOperationKey",
    };

    public static bool Contains(string name) => Names.Contains(name);
}
