using System.Buffers.Binary;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Wire;

/// <summary>
/// OP_MSG (2013), the protocol of every command after the handshake: a flag word, a kind-0
/// body section and kind-1 document sequences (the driver sends insert "documents",
/// update "updates" and delete "deletes" that way), optionally followed by a CRC-32C.
/// </summary>
internal static class OpMsgCodec
{
    private const uint ChecksumPresent = 1u << 0;
    private const uint MoreToCome = 1u << 1;

    public static WireRequest Parse(WireFrame frame)
    {
        var body = frame.Body;
        var position = 0;
        var flags = (uint)BsonReading.ReadInt32(body, ref position, body.Length);

        // The checksum is tolerated, not verified: loopback TCP already guarantees integrity.
        var end = (flags & ChecksumPresent) != 0 ? body.Length - 4 : body.Length;
        BsonDocument? command = null;
        var sequences = new List<(string Identifier, BsonArray Documents)>();
        while (position < end)
        {
            var kind = body[position++];
            switch (kind)
            {
                case 0:
                    if (command is not null)
                    {
                        throw new WireProtocolException("OP_MSG has more than one body section");
                    }

                    command = BsonReading.ReadDocument(body, ref position, end);
                    break;
                case 1:
                    sequences.Add(ReadSequence(body, ref position, end));
                    break;
                default:
                    throw new WireProtocolException($"unknown OP_MSG section kind {kind}");
            }
        }

        if (command is null)
        {
            throw new WireProtocolException("OP_MSG has no body section");
        }

        foreach (var (identifier, documents) in sequences)
        {
            if (command.Contains(identifier))
            {
                throw new WireProtocolException($"OP_MSG field '{identifier}' is both in the body and a document sequence");
            }

            command[identifier] = documents;
        }

        var database = command.TryGetValue("$db", out var db) && db.IsString ? db.AsString : null;
        return new WireRequest(frame.RequestId, WireOpCode.Msg, command, database, ExpectsReply: (flags & MoreToCome) == 0);
    }

    public static byte[] Write(int requestId, int responseTo, BsonDocument reply)
    {
        var document = reply.ToBson();
        var length = WireFrame.HeaderSize + 4 + 1 + document.Length;
        var message = new byte[length];
        WriteHeader(message, requestId, responseTo, WireOpCode.Msg);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(16), 0);
        message[20] = 0;
        document.CopyTo(message, 21);
        return message;
    }

    internal static void WriteHeader(byte[] message, int requestId, int responseTo, WireOpCode opCode)
    {
        BinaryPrimitives.WriteInt32LittleEndian(message, message.Length);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(4), requestId);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(8), responseTo);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(12), (int)opCode);
    }

    private static (string, BsonArray) ReadSequence(byte[] body, ref int position, int end)
    {
        var start = position;
        var size = BsonReading.ReadInt32(body, ref position, end);
        var sequenceEnd = start + size;
        if (size < 5 || sequenceEnd > end)
        {
            throw new WireProtocolException("invalid OP_MSG document sequence size");
        }

        var identifier = BsonReading.ReadCString(body, ref position, sequenceEnd);
        var documents = new BsonArray();
        while (position < sequenceEnd)
        {
            documents.Add(BsonReading.ReadDocument(body, ref position, sequenceEnd));
        }

        return (identifier, documents);
    }
}
