using System.Buffers.Binary;
using System.Text;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Wire;

/// <summary>Low-level reads from a message body: little-endian integers, C strings, BSON documents.</summary>
internal static class BsonReading
{
    public static int ReadInt32(byte[] buffer, ref int position, int end)
    {
        Require(position + 4 <= end, "truncated int32");
        var value = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(position));
        position += 4;
        return value;
    }

    public static string ReadCString(byte[] buffer, ref int position, int end)
    {
        var terminator = Array.IndexOf(buffer, (byte)0, position, end - position);
        Require(terminator >= 0, "unterminated C string");
        var value = Encoding.UTF8.GetString(buffer, position, terminator - position);
        position = terminator + 1;
        return value;
    }

    public static BsonDocument ReadDocument(byte[] buffer, ref int position, int end)
    {
        Require(position + 5 <= end, "truncated BSON document");
        var size = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(position));
        Require(size >= 5 && position + size <= end, "invalid BSON document size");
        using var stream = new MemoryStream(buffer, position, size, writable: false);
        position += size;
        try
        {
            return BsonSerializer.Deserialize<BsonDocument>(stream);
        }
        catch (FormatException invalid)
        {
            throw new WireProtocolException("invalid BSON", invalid);
        }
    }

    private static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new WireProtocolException(problem);
        }
    }
}
