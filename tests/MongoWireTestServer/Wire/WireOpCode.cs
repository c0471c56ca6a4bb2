namespace ExcelMedical.DbRunbook.MongoWireTestServer.Wire;

/// <summary>Wire protocol op codes this server reads (Query, Msg) or writes (Reply, Msg).</summary>
internal enum WireOpCode
{
    None = 0,
    Reply = 1,
    Query = 2004,
    Compressed = 2012,
    Msg = 2013,
}
