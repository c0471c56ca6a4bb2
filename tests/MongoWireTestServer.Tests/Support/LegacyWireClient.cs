using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Tests.Support;

/// <summary>
/// Sends one OP_QUERY (what drivers use for the first hello of a connection) and reads the
/// OP_REPLY, byte by byte as the wire protocol specifies, independently of the server's codecs.
/// </summary>
public static class LegacyWireClient
{
    private const int OpReply = 1;
    private const int OpQuery = 2004;

    public sealed record Reply(int OpCode, int ResponseTo, int Flags, int NumberReturned, BsonDocument Document);

    public static async Task<Reply> QueryAsync(System.Net.IPEndPoint server, string fullCollectionName, BsonDocument query)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server);
        var stream = client.GetStream();
        const int RequestId = 4242;
        await stream.WriteAsync(BuildQuery(RequestId, fullCollectionName, query));

        var header = new byte[16];
        await stream.ReadExactlyAsync(header);
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        var body = new byte[length - 16];
        await stream.ReadExactlyAsync(body);
        var document = BsonSerializer.Deserialize<BsonDocument>(body.AsSpan(20).ToArray());
        return new Reply(
            BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12)),
            BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8)),
            BinaryPrimitives.ReadInt32LittleEndian(body),
            BinaryPrimitives.ReadInt32LittleEndian(body.AsSpan(16)),
            document);
    }

    public static bool IsReply(Reply reply) => reply.OpCode == OpReply;

    private static byte[] BuildQuery(int requestId, string fullCollectionName, BsonDocument query)
    {
        var name = Encoding.UTF8.GetBytes(fullCollectionName);
        var document = query.ToBson();
        var message = new byte[16 + 4 + name.Length + 1 + 8 + document.Length];
        BinaryPrimitives.WriteInt32LittleEndian(message, message.Length);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(4), requestId);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(12), OpQuery);
        var position = 20;
        name.CopyTo(message, position);
        position += name.Length + 1;
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(position + 4), -1); // numberToReturn
        document.CopyTo(message, position + 8);
        return message;
    }
}
