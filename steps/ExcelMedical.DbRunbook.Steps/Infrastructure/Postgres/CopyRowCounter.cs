using System.Text;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;

/// <summary>
/// Counts the rows of every table in the SQL script <c>pg_restore -f -</c> prints: each table's
/// data is a <c>COPY schema.table (...) FROM stdin;</c> line, one line per row (COPY's text format
/// escapes newlines inside values as <c>\n</c>), and a <c>\.</c> line. Counting there reads the
/// rows the dump really holds, with no second scan of the database.
/// </summary>
internal sealed class CopyRowCounter
{
    private static readonly byte[] CopyPrefix = "COPY "u8.ToArray();
    private static readonly byte[] EndOfData = @"\."u8.ToArray();

    private readonly Dictionary<string, long> _rows = new(StringComparer.Ordinal);
    private readonly List<byte> _partialLine = [];
    private string? _table;

    public IReadOnlyDictionary<string, long> Rows => _rows;

    public async Task CountAsync(Stream script, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        int read;
        while ((read = await script.ReadAsync(buffer, cancellationToken)) > 0)
        {
            Consume(buffer.AsSpan(0, read));
        }

        if (_partialLine.Count > 0)
        {
            Line([.. _partialLine]);
        }
    }

    private void Consume(ReadOnlySpan<byte> chunk)
    {
        while (chunk.Length > 0)
        {
            var newline = chunk.IndexOf((byte)'\n');
            if (newline < 0)
            {
                _partialLine.AddRange(chunk);
                return;
            }

            if (_partialLine.Count > 0)
            {
                _partialLine.AddRange(chunk[..newline]);
                Line([.. _partialLine]);
                _partialLine.Clear();
            }
            else
            {
                Line(chunk[..newline]);
            }

            chunk = chunk[(newline + 1)..];
        }
    }

    private void Line(ReadOnlySpan<byte> line)
    {
        if (_table is not null)
        {
            if (line.SequenceEqual(EndOfData))
            {
                _table = null;
            }
            else
            {
                _rows[_table]++;
            }

            return;
        }

        if (line.StartsWith(CopyPrefix) && line.EndsWith(" FROM stdin;"u8))
        {
            _table = TableName(Encoding.UTF8.GetString(line[CopyPrefix.Length..]));
            _rows.TryAdd(_table, 0);
        }
    }

    /// <summary>"public.users (id, email) FROM stdin;" or "\"Odd Schema\".\"T\" FROM stdin;" → public.users / Odd Schema.T.</summary>
    private static string TableName(string rest)
    {
        var name = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < rest.Length; i++)
        {
            var c = rest[i];
            if (c == '"')
            {
                if (quoted && i + 1 < rest.Length && rest[i + 1] == '"')
                {
                    name.Append('"');
                    i++;
                }
                else
                {
                    quoted = !quoted;
                }
            }
            else if (c == ' ' && !quoted)
            {
                break;
            }
            else
            {
                name.Append(c);
            }
        }

        return name.ToString();
    }
}
