using System.Buffers;
using System.Buffers.Binary;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Archives;

/// <summary>
/// Checks a mongodump .bson file: a plain concatenation of BSON documents, each a little-endian
/// int32 length (including itself), its elements and a 0x00. Every document is parsed in full.
/// </summary>
internal static class BsonSequence
{
    /// <summary>mongod stores documents up to 16 MiB, plus a little room for its own fields.</summary>
    private const int MaxDocumentSize = (16 * 1024 * 1024) + (16 * 1024);

    /// <summary>Documents read and, when the data is not a clean sequence, what is wrong and where.</summary>
    public static (long Documents, long Bytes, string? Problem) Check(Stream data, CancellationToken cancellationToken)
    {
        long documents = 0;
        long offset = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (true)
            {
                if ((documents & 0x3FF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var read = data.ReadAtLeast(buffer.AsSpan(0, 4), 4, throwOnEndOfStream: false);
                if (read == 0)
                {
                    return (documents, offset, null);
                }

                if (read < 4)
                {
                    return (documents, offset, $"{read} stray byte(s) after document {documents} at offset {offset}: the file is cut short");
                }

                var length = BinaryPrimitives.ReadInt32LittleEndian(buffer);
                if (length is < 5 or > MaxDocumentSize)
                {
                    return (documents, offset, $"document {documents + 1} at offset {offset} announces an impossible length of {length} bytes");
                }

                if (length > buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(length);
                    buffer.AsSpan(0, 4).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var body = data.ReadAtLeast(buffer.AsSpan(4, length - 4), length - 4, throwOnEndOfStream: false);
                if (body < length - 4)
                {
                    return (documents, offset, $"document {documents + 1} at offset {offset} is cut short ({length} bytes announced, {body + 4} present)");
                }

                if (buffer[length - 1] != 0)
                {
                    return (documents, offset, $"document {documents + 1} at offset {offset} does not end with 0x00");
                }

                if (Parse(buffer, length) is { } invalid)
                {
                    return (documents, offset, $"document {documents + 1} at offset {offset} is not valid BSON: {invalid}");
                }

                documents++;
                offset += length;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Parses one document completely (every element, nested documents, UTF-8 strings); null when valid.</summary>
    private static string? Parse(byte[] buffer, int length)
    {
        try
        {
            using var stream = new ByteBufferStream(new ByteArrayBuffer(buffer, length, isReadOnly: true));
            using var reader = new BsonBinaryReader(stream);
            _ = BsonDocumentSerializer.Instance.Deserialize(BsonDeserializationContext.CreateRoot(reader));
            return stream.Position == length ? null : $"it ends after {stream.Position} of its {length} bytes";
        }
        catch (Exception ex) when (ex is FormatException or EndOfStreamException or BsonException or ArgumentException or InvalidOperationException)
        {
            return ex.Message;
        }
    }
}
