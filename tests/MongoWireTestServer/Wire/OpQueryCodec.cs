using System.Buffers.Binary;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Wire;

/// <summary>
/// Legacy OP_QUERY (2004) in, OP_REPLY (1) out. Drivers still use it for the first
/// isMaster/hello of a connection, sent to "admin.$cmd"; nothing else is accepted.
/// </summary>
internal static class OpQueryCodec
{
    /// <summary>OP_REPLY flag: the query failed and the single document is {$err, code}.</summary>
    public const int QueryFailure = 1 << 1;

    /// <summary>OP_REPLY flag mongod always sets.</summary>
    private const int AwaitCapable = 1 << 3;

    private const string CommandCollectionSuffix = ".$cmd";

    public static WireRequest Parse(WireFrame frame, out string fullCollectionName)
    {
        var body = frame.Body;
        var position = 0;
        _ = BsonReading.ReadInt32(body, ref position, body.Length); // flags: none matter for commands
        fullCollectionName = BsonReading.ReadCString(body, ref position, body.Length);
        _ = BsonReading.ReadInt32(body, ref position, body.Length); // numberToSkip
        _ = BsonReading.ReadInt32(body, ref position, body.Length); // numberToReturn
        var query = BsonReading.ReadDocument(body, ref position, body.Length);

        // Drivers wrap commands that carry a read preference as {$query: {...}, $readPreference: ...}.
        if (query.TryGetValue("$query", out var wrapped) && wrapped is BsonDocument inner)
        {
            query = inner;
        }

        var isCommand = fullCollectionName.EndsWith(CommandCollectionSuffix, StringComparison.Ordinal);
        var database = isCommand ? fullCollectionName[..^CommandCollectionSuffix.Length] : null;
        return new WireRequest(frame.RequestId, WireOpCode.Query, query, database, ExpectsReply: true);
    }

    public static byte[] Write(int requestId, int responseTo, BsonDocument reply, int flags = 0)
    {
        var document = reply.ToBson();
        var message = new byte[WireFrame.HeaderSize + 20 + document.Length];
        OpMsgCodec.WriteHeader(message, requestId, responseTo, WireOpCode.Reply);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(16), flags | AwaitCapable);
        BinaryPrimitives.WriteInt64LittleEndian(message.AsSpan(20), 0); // cursorID: commands return no cursor here
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(28), 0); // startingFrom
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(32), 1); // numberReturned
        document.CopyTo(message, 36);
        return message;
    }
}
