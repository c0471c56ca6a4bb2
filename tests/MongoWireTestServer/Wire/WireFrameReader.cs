using System.Buffers.Binary;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Wire;

/// <summary>Reads length-prefixed wire messages from a stream.</summary>
internal static class WireFrameReader
{
    /// <summary>maxMessageSizeBytes advertised in hello, plus slack for headers.</summary>
    public const int MaxMessageSize = 48_000_000 + (1024 * 1024);

    /// <returns>The next frame, or null when the client closed the connection between messages.</returns>
    public static async Task<WireFrame?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[WireFrame.HeaderSize];
        var read = await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
        if (read == 0)
        {
            return null;
        }

        if (read < header.Length)
        {
            throw new WireProtocolException("connection closed in the middle of a message header");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < WireFrame.HeaderSize || length > MaxMessageSize)
        {
            throw new WireProtocolException($"invalid message length {length}");
        }

        var body = new byte[length - WireFrame.HeaderSize];
        await stream.ReadExactlyAsync(body, cancellationToken);
        return new WireFrame(
            length,
            BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4)),
            BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8)),
            (WireOpCode)BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12)),
            body);
    }
}
