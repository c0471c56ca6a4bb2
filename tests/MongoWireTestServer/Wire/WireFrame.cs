namespace ExcelMedical.DbRunbook.MongoWireTestServer.Wire;

/// <summary>One framed message: the standard 16-byte header fields and the bytes after them.</summary>
internal sealed record WireFrame(int MessageLength, int RequestId, int ResponseTo, WireOpCode OpCode, byte[] Body)
{
    public const int HeaderSize = 16;
}
