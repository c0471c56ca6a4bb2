using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Compression;

/// <summary>
/// Reads a gzip file of one or more members (RFC 1952) and checks everything gzip -t checks, which
/// .NET's <see cref="GZipStream"/> does not: a file cut inside a member (even just its 8-byte
/// trailer) decompresses there without an error. Each member's header is parsed here, its deflate
/// data inflated with <see cref="DeflateStream"/>, and its trailer (CRC-32 and length of the data)
/// located and compared; bytes after the last member are an error. Throws
/// <see cref="InvalidDataException"/> naming the member and byte offset.
/// </summary>
/// <remarks>
/// DeflateStream reads ahead and keeps what it does not need, so where a member's deflate data
/// ends is not observable. The inflater is therefore fed in small chunks, and the trailer is looked
/// for in the last two chunks: the one position whose 8 bytes equal the CRC-32 and length computed
/// from the inflated data (a false match would need 64 bits to agree by chance).
/// </remarks>
internal sealed class VerifyingGzipStream : Stream
{
    private const int ChunkLimit = 16 * 1024;
    private const byte FlagExtra = 0x04;
    private const byte FlagName = 0x08;
    private const byte FlagComment = 0x10;
    private const byte FlagHeaderCrc = 0x02;
    private const byte ReservedFlags = 0xE0;

    private readonly Stream _source;
    private readonly Feeder _feeder;
    private byte[] _buffer = new byte[256 * 1024];
    private long _bufferStart;
    private int _bufferLength;
    private long _keepFrom;
    private bool _sourceEnded;

    private DeflateStream? _inflater;
    private long _memberStart;
    private long _deflateStart;
    private long _lastChunkStart;
    private long _previousChunkStart;
    private bool _starved;
    private readonly Crc32 _crc = new();
    private long _memberLength;
    private long _position;
    private bool _ended;

    /// <param name="source">The compressed bytes; read to its end, never closed by this stream.</param>
    public VerifyingGzipStream(Stream source)
    {
        _source = source;
        _feeder = new Feeder(this);
    }

    /// <summary>Complete members read so far.</summary>
    public int Members { get; private set; }

    /// <summary>Compressed bytes consumed so far; the file's length once the end is reached.</summary>
    public long CompressedPosition { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (!_ended)
        {
            if (_inflater is null && !StartMember())
            {
                _ended = true;
                break;
            }

            int read;
            try
            {
                read = _inflater!.Read(buffer);
            }
            catch (InvalidDataException)
            {
                // .NET words zlib's "invalid data" as "an unsupported compression method": not helpful here.
                throw Corrupt($"the deflate data is corrupt after {_memberLength} bytes of output");
            }

            if (read > 0)
            {
                _crc.Append(buffer[..read]);
                _memberLength += read;
                _position += read;
                return read;
            }

            if (_starved)
            {
                throw Corrupt($"the file ends inside this member, after {_memberLength} bytes of output: it is truncated");
            }

            FinishMember();
        }

        return 0;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inflater?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Parses the next member's header; false at a clean end of file.</summary>
    private bool StartMember()
    {
        _keepFrom = CompressedPosition;
        if (!Fill(CompressedPosition + 1))
        {
            return Members > 0 ? false : throw new InvalidDataException("the file is empty: not a gzip file");
        }

        _memberStart = CompressedPosition;
        if (!Fill(CompressedPosition + 2) || ByteAt(CompressedPosition) != 0x1f || ByteAt(CompressedPosition + 1) != 0x8b)
        {
            throw Members == 0
                ? new InvalidDataException("not a gzip file (it does not start with the gzip magic bytes 1f 8b)")
                : new InvalidDataException($"{TrailingLength()} bytes that are not gzip follow the last gzip member (from byte {_memberStart}): the file was damaged or appended to");
        }

        CompressedPosition += 2;
        if (NextHeaderByte() != 8)
        {
            throw Corrupt("unknown compression method (not deflate)");
        }

        var flags = NextHeaderByte();
        if ((flags & ReservedFlags) != 0)
        {
            throw Corrupt("reserved header flags are set");
        }

        Skip(6); // MTIME, XFL, OS
        if ((flags & FlagExtra) != 0)
        {
            Skip(NextHeaderByte() | (NextHeaderByte() << 8));
        }

        if ((flags & FlagName) != 0)
        {
            SkipZeroTerminated();
        }

        if ((flags & FlagComment) != 0)
        {
            SkipZeroTerminated();
        }

        if ((flags & FlagHeaderCrc) != 0)
        {
            Skip(2);
        }

        _deflateStart = _lastChunkStart = _previousChunkStart = _keepFrom = CompressedPosition;
        _starved = false;
        _crc.Reset();
        _memberLength = 0;
        _inflater = new DeflateStream(_feeder, CompressionMode.Decompress, leaveOpen: true);
        return true;
    }

    /// <summary>Finds the trailer after the deflate data and checks the CRC-32 and length in it.</summary>
    private void FinishMember()
    {
        Span<byte> expected = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(expected, _crc.GetCurrentHashAsUInt32());
        BinaryPrimitives.WriteUInt32LittleEndian(expected[4..], (uint)_memberLength);
        var from = Math.Max(_previousChunkStart, _deflateStart);
        var fed = CompressedPosition;
        for (var at = from; at <= fed && Fill(at + 8); at++)
        {
            if (_buffer.AsSpan((int)(at - _bufferStart), 8).SequenceEqual(expected))
            {
                CompressedPosition = at + 8;
                _inflater!.Dispose();
                _inflater = null;
                Members++;
                return;
            }
        }

        throw Corrupt(Mismatch(expected, from, fed));
    }

    /// <summary>
    /// Why no trailer matched, as precisely as the bytes allow: a length that matches where a
    /// trailer ends the file or precedes the next member means the CRC-32 (the data) is wrong; the
    /// file ending a few bytes into what matches the trailer means it was cut there.
    /// </summary>
    private string Mismatch(ReadOnlySpan<byte> expected, long from, long fed)
    {
        for (var at = from; at <= fed && Fill(at + 8); at++)
        {
            var trailer = _buffer.AsSpan((int)(at - _bufferStart), 8);
            var endsFile = !Fill(at + 9);
            var memberFollows = !endsFile && Fill(at + 10) && ByteAt(at + 8) == 0x1f && ByteAt(at + 9) == 0x8b;
            if (trailer[4..].SequenceEqual(expected[4..]) && (endsFile || memberFollows))
            {
                return $"the CRC-32 in its trailer does not match the {_memberLength} bytes of data: the data is corrupt";
            }
        }

        for (var at = from; at <= fed; at++)
        {
            if (Fill(at + 1) && !Fill(at + 8))
            {
                var rest = (int)(_bufferStart + _bufferLength - at);
                if (_buffer.AsSpan((int)(at - _bufferStart), rest).SequenceEqual(expected[..rest]))
                {
                    return $"the file ends {rest} byte(s) into the member's 8-byte trailer: it is truncated";
                }
            }
        }

        return "its trailer (CRC-32 and length) is missing or does not match the data: the file is truncated or corrupt";
    }

    /// <summary>Makes the bytes before absolute offset <paramref name="end"/> available; false when the file is shorter.</summary>
    private bool Fill(long end)
    {
        while (_bufferStart + _bufferLength < end)
        {
            if (_sourceEnded)
            {
                return false;
            }

            var drop = (int)Math.Min(_keepFrom - _bufferStart, _bufferLength);
            if (drop > 0)
            {
                Buffer.BlockCopy(_buffer, drop, _buffer, 0, _bufferLength - drop);
                _bufferStart += drop;
                _bufferLength -= drop;
            }

            if (_bufferLength == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var read = _source.Read(_buffer, _bufferLength, _buffer.Length - _bufferLength);
            if (read == 0)
            {
                _sourceEnded = true;
                return false;
            }

            _bufferLength += read;
        }

        return true;
    }

    private byte ByteAt(long offset) => _buffer[offset - _bufferStart];

    private int NextHeaderByte()
    {
        if (!Fill(CompressedPosition + 1))
        {
            throw Corrupt("the file ends inside the member's header: it is truncated");
        }

        return ByteAt(CompressedPosition++);
    }

    private void Skip(int count)
    {
        for (var i = 0; i < count; i++)
        {
            NextHeaderByte();
        }
    }

    private void SkipZeroTerminated()
    {
        while (NextHeaderByte() != 0)
        {
        }
    }

    private long TrailingLength()
    {
        while (Fill(_bufferStart + _bufferLength + 1))
        {
            _keepFrom = _bufferStart + _bufferLength;
        }

        return _bufferStart + _bufferLength - _memberStart;
    }

    private InvalidDataException Corrupt(string message) =>
        new($"gzip member {Members + 1} (from byte {_memberStart}): {message}");

    /// <summary>What the inflater reads: the buffered file in chunks of at most <see cref="ChunkLimit"/> bytes.</summary>
    private sealed class Feeder(VerifyingGzipStream owner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => owner.CompressedPosition;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (!owner.Fill(owner.CompressedPosition + 1))
            {
                owner._starved = true;
                return 0;
            }

            var available = owner._bufferStart + owner._bufferLength - owner.CompressedPosition;
            var count = (int)Math.Min(Math.Min(buffer.Length, ChunkLimit), available);
            owner._buffer.AsSpan((int)(owner.CompressedPosition - owner._bufferStart), count).CopyTo(buffer);
            owner._previousChunkStart = owner._lastChunkStart;
            owner._lastChunkStart = owner.CompressedPosition;
            owner._keepFrom = owner._previousChunkStart;
            owner.CompressedPosition += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
