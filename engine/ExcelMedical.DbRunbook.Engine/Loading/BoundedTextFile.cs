using System.Buffers;
using System.Text.Unicode;
using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.IO;
using ExcelMedical.DbRunbook.Engine.Model;

namespace ExcelMedical.DbRunbook.Engine.Loading;

/// <summary>
/// Reads a playbook or an env_file the only safe way: a regular file (never a FIFO or a device),
/// of bounded size, decoded as strict UTF-8 so a bad byte is an error at its line instead of a
/// silent U+FFFD.
/// </summary>
internal static class BoundedTextFile
{
    /// <summary>The text, or null with a diagnostic naming <paramref name="what"/> (e.g. "the playbook").</summary>
    public static string? TryRead(string path, long maxBytes, string what, DiagnosticBag diagnostics)
    {
        var location = SourceLocation.Unknown(path);
        var kind = FileKinds.Of(path);
        if (kind == FileKind.Missing)
        {
            diagnostics.Add(location, $"cannot read {what}: the file does not exist");
            return null;
        }

        if (kind != FileKind.Regular)
        {
            diagnostics.Add(location, $"cannot read {what}: it is {FileKinds.Describe(kind)}, and only regular files are read");
            return null;
        }

        byte[] bytes;
        try
        {
            var length = new FileInfo(path).Length;
            if (length > maxBytes)
            {
                diagnostics.Add(location, $"{what} is {ByteSize.Format(length)}, more than the limit of {ByteSize.Format(maxBytes)}; it is not read");
                return null;
            }

            bytes = ReadAtMost(path, maxBytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            diagnostics.Add(location, $"cannot read {what}: {ex.Message}");
            return null;
        }

        if (bytes.Length > maxBytes)
        {
            // It grew while being read.
            diagnostics.Add(location, $"{what} is more than the limit of {ByteSize.Format(maxBytes)}; it is not read");
            return null;
        }

        return Decode(bytes, path, diagnostics);
    }

    /// <summary>Strict UTF-8 (a leading byte-order mark is allowed); the first invalid byte is reported at its line and column.</summary>
    public static string? Decode(ReadOnlySpan<byte> bytes, string path, DiagnosticBag diagnostics)
    {
        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        if (bytes.StartsWith(bom))
        {
            bytes = bytes[bom.Length..];
        }

        var chars = new char[bytes.Length];
        var status = Utf8.ToUtf16(bytes, chars, out var read, out var written, replaceInvalidSequences: false);
        if (status == OperationStatus.Done)
        {
            return new string(chars, 0, written);
        }

        // Where the bad byte sits, counted the way an editor shows it.
        var decoded = chars.AsSpan(0, written);
        var line = decoded.Count('\n') + 1;
        var column = written - (decoded.LastIndexOf('\n') + 1) + 1;
        var hint = bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])
            ? " (the file looks like UTF-16)"
            : string.Empty;
        diagnostics.Add(new SourceLocation(path, line, column), read < bytes.Length
            ? $"the file is not valid UTF-8: byte 0x{bytes[read]:X2} here cannot start or continue a character{hint}; save the file as UTF-8"
            : "the file is not valid UTF-8: it ends in the middle of a character; save the file as UTF-8");
        return null;
    }

    private static byte[] ReadAtMost(string path, long maxBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan);
        var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > maxBytes)
            {
                break;
            }
        }

        return buffer.ToArray();
    }
}
