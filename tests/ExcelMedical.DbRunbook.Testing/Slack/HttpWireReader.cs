using System.Globalization;
using System.Text;

namespace ExcelMedical.DbRunbook.Testing.Slack;

/// <summary>
/// Reads HTTP/1.1 requests off a connection: request line, headers, and a body framed by
/// Content-Length or chunked transfer encoding (which HttpClient uses for JSON content).
/// </summary>
internal sealed class HttpWireReader(Stream connection)
{
    private const int MaxLineLength = 16 * 1024;

    private readonly byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;

    /// <summary>The next request, or null when the client closed the connection between requests.</summary>
    public async Task<ReceivedWebhook?> ReadRequestAsync(CancellationToken cancellationToken)
    {
        var requestLine = await ReadLineAsync(cancellationToken);
        if (requestLine is null)
        {
            return null;
        }

        var parts = requestLine.Split(' ');
        if (parts.Length != 3)
        {
            throw new InvalidDataException($"malformed request line: {requestLine}");
        }

        var headers = await ReadHeadersAsync(cancellationToken);
        var body = await ReadBodyAsync(headers, cancellationToken);
        var path = parts[1].Split('?')[0];
        return ReceivedWebhook.Create(parts[0], path, headers, Encoding.UTF8.GetString(body));
    }

    private async Task<Dictionary<string, string>> ReadHeadersAsync(CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (await ReadLineAsync(cancellationToken) is { Length: > 0 } line)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new InvalidDataException($"malformed header line: {line}");
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var earlier) ? $"{earlier}, {value}" : value;
        }

        return headers;
    }

    private async Task<byte[]> ReadBodyAsync(Dictionary<string, string> headers, CancellationToken cancellationToken)
    {
        if (headers.TryGetValue("Transfer-Encoding", out var transferEncoding)
            && transferEncoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            return await ReadChunkedBodyAsync(cancellationToken);
        }

        return headers.TryGetValue("Content-Length", out var length)
            ? await ReadExactlyAsync(int.Parse(length, NumberStyles.None, CultureInfo.InvariantCulture), cancellationToken)
            : [];
    }

    private async Task<byte[]> ReadChunkedBodyAsync(CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        while (true)
        {
            var sizeLine = await ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException("chunked body ended early");
            var size = int.Parse(sizeLine.Split(';')[0].Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                // Trailer headers, if any, end with an empty line like the header block.
                await ReadHeadersAsync(cancellationToken);
                return body.ToArray();
            }

            body.Write(await ReadExactlyAsync(size, cancellationToken));
            await ReadLineAsync(cancellationToken); // the CRLF after the chunk data
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        var result = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            if (_start == _end && !await FillAsync(cancellationToken))
            {
                throw new EndOfStreamException($"body ended after {filled} of {count} bytes");
            }

            var take = Math.Min(count - filled, _end - _start);
            Array.Copy(_buffer, _start, result, filled, take);
            _start += take;
            filled += take;
        }

        return result;
    }

    /// <summary>A CRLF-terminated line without its terminator; null at end of stream before any byte.</summary>
    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (_start == _end && !await FillAsync(cancellationToken))
            {
                return line.Length == 0 ? null : throw new EndOfStreamException("connection closed mid-line");
            }

            var next = (char)_buffer[_start++];
            if (next == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            line.Append(next);
            if (line.Length > MaxLineLength)
            {
                throw new InvalidDataException("request line or header longer than 16 KiB");
            }
        }
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        _start = 0;
        _end = await connection.ReadAsync(_buffer, cancellationToken);
        return _end > 0;
    }
}
