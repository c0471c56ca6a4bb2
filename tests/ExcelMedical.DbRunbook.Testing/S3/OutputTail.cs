namespace ExcelMedical.DbRunbook.Testing.S3;

/// <summary>The last lines a child process printed, kept for error messages without growing forever.</summary>
internal sealed class OutputTail
{
    private const int MaxLines = 50;

    private readonly Queue<string> _lines = new();
    private readonly Lock _gate = new();

    public void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _lines.Enqueue(line);
            if (_lines.Count > MaxLines)
            {
                _lines.Dequeue();
            }
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return _lines.Count == 0 ? "(no output)" : string.Join('\n', _lines);
        }
    }
}
