using System.Buffers;
using System.Text;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;

/// <summary>
/// Counts the rows of every table in the SQL script <c>pg_restore -f -</c> prints: each table's
/// data is a <c>COPY schema.table (...) FROM stdin;</c> statement, one line per row (COPY's text
/// format escapes newlines inside values as <c>\n</c>), and a <c>\.</c> line. Counting there reads
/// the rows the dump really holds, with no second scan of the database.
/// <para>
/// It streams: a row is never held whole, only its first bytes (to recognise <c>\.</c>), so a
/// 100 MB bytea value costs no more memory than a short one. A COPY statement is read whole
/// (bounded), with pg_dump's quoting: a quoted name may hold spaces, dots, doubled quotes and even
/// a raw newline, so the statement ends at the first newline outside quotes.
/// </para>
/// </summary>
internal sealed class CopyRowCounter
{
    /// <summary>Far above any real COPY statement (1,600 columns of 63-byte quoted names is ~210 KB).</summary>
    private const int MaxStatement = 1 << 20;

    private static readonly byte[] CopyPrefix = "COPY "u8.ToArray();
    private static readonly byte[] FromStdin = " FROM stdin;"u8.ToArray();

    private readonly Dictionary<string, long> _rows = new(StringComparer.Ordinal);
    private readonly ArrayBufferWriter<byte> _statement = new();
    private readonly byte[] _head = new byte[3];
    private State _state = State.LineStart;
    private int _matched;
    private bool _quoted;
    private long _lineLength;
    private string? _table;

    private enum State
    {
        /// <summary>Outside table data, at the start of a line or within its first bytes ("COPY ").</summary>
        LineStart,

        /// <summary>Outside table data, in a line that is not a COPY statement.</summary>
        SkipLine,

        /// <summary>Reading a COPY statement after its "COPY ".</summary>
        Statement,

        /// <summary>In a table's rows, up to the \. line.</summary>
        Data,
    }

    /// <summary>Rows per table, keyed "schema.table" with the names as they are (unquoted).</summary>
    public IReadOnlyDictionary<string, long> Rows => _rows;

    public async Task CountAsync(Stream script, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        int read;
        while ((read = await script.ReadAsync(buffer, cancellationToken)) > 0)
        {
            Consume(buffer.AsSpan(0, read));
        }

        if (_state == State.Data && _lineLength > 0)
        {
            // A last row without its newline (the script was cut): it is still a row of the dump.
            _rows[_table!]++;
        }
    }

    /// <summary>Feeds the next bytes of the script; a line may end in a later call.</summary>
    public void Consume(ReadOnlySpan<byte> chunk)
    {
        while (chunk.Length > 0)
        {
            chunk = _state switch
            {
                State.Data => DataBytes(chunk),
                State.LineStart => LineStartBytes(chunk),
                State.SkipLine => SkipLineBytes(chunk),
                _ => StatementBytes(chunk),
            };
        }
    }

    private ReadOnlySpan<byte> DataBytes(ReadOnlySpan<byte> chunk)
    {
        var newline = chunk.IndexOf((byte)'\n');
        var line = newline < 0 ? chunk : chunk[..newline];
        for (var i = 0; i < line.Length && _lineLength + i < _head.Length; i++)
        {
            _head[_lineLength + i] = line[i];
        }

        _lineLength += line.Length;
        if (newline < 0)
        {
            return [];
        }

        if (_lineLength == 2 && _head[0] == '\\' && _head[1] == '.')
        {
            _table = null;
            _state = State.LineStart;
            _matched = 0;
        }
        else
        {
            _rows[_table!]++;
        }

        _lineLength = 0;
        return chunk[(newline + 1)..];
    }

    private ReadOnlySpan<byte> LineStartBytes(ReadOnlySpan<byte> chunk)
    {
        var next = chunk[0];
        if (next == CopyPrefix[_matched])
        {
            if (++_matched == CopyPrefix.Length)
            {
                _state = State.Statement;
                _statement.ResetWrittenCount();
                _quoted = false;
            }

            return chunk[1..];
        }

        _matched = 0;
        _state = State.SkipLine;
        return chunk;
    }

    private ReadOnlySpan<byte> SkipLineBytes(ReadOnlySpan<byte> chunk)
    {
        var newline = chunk.IndexOf((byte)'\n');
        if (newline < 0)
        {
            return [];
        }

        _state = State.LineStart;
        _matched = 0;
        return chunk[(newline + 1)..];
    }

    private ReadOnlySpan<byte> StatementBytes(ReadOnlySpan<byte> chunk)
    {
        for (var i = 0; i < chunk.Length; i++)
        {
            var next = chunk[i];
            if (next == '"')
            {
                _quoted = !_quoted;
            }
            else if (next == '\n' && !_quoted)
            {
                EndStatement();
                return chunk[(i + 1)..];
            }

            if (_statement.WrittenCount < MaxStatement)
            {
                _statement.GetSpan(1)[0] = next;
                _statement.Advance(1);
            }
        }

        return [];
    }

    private void EndStatement()
    {
        var statement = _statement.WrittenSpan;
        _matched = 0;
        if (statement.Length >= MaxStatement || !statement.EndsWith(FromStdin))
        {
            // Not a COPY ... FROM stdin (or not one that can be real): not table data.
            _state = State.LineStart;
            return;
        }

        _table = TableName(Encoding.UTF8.GetString(statement));
        _rows.TryAdd(_table, 0);
        _state = State.Data;
        _lineLength = 0;
    }

    /// <summary>
    /// "public.users (id, email) FROM stdin;" → public.users; "\"Odd Schema\".\"a \"\"b\"\".c\" (...)"
    /// → Odd Schema.a "b".c: each part unquoted, quotes undoubled, the parts joined by a dot.
    /// </summary>
    internal static string TableName(string statement)
    {
        var parts = new List<string>();
        var part = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < statement.Length; i++)
        {
            var c = statement[i];
            if (c == '"')
            {
                if (quoted && i + 1 < statement.Length && statement[i + 1] == '"')
                {
                    part.Append('"');
                    i++;
                }
                else
                {
                    quoted = !quoted;
                }
            }
            else if (!quoted && c == '.')
            {
                parts.Add(part.ToString());
                part.Clear();
            }
            else if (!quoted && c is ' ' or '(')
            {
                break;
            }
            else
            {
                part.Append(c);
            }
        }

        parts.Add(part.ToString());
        return string.Join(".", parts);
    }
}
