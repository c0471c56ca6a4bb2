namespace ExcelMedical.DbRunbook.Engine.Loading;

/// <summary>
/// YAML 1.2 breaks lines only at LF and CR. YamlDotNet follows YAML 1.1 and also breaks at NEL
/// (U+0085), LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR (U+2029), characters that editors
/// show as nothing or as a space: one of them pasted into a value shifts every later line number
/// and can turn the rest of a line into a new key. Before parsing, each is swapped for a private
/// character that does not occur in the text (same length, so every column stays right), and
/// swapped back in the values read.
/// </summary>
internal sealed class LineSeparators
{
    private static readonly char[] Separators = ['\u0085', '\u2028', '\u2029'];

    private readonly char[] _standIns;

    private LineSeparators(string text, char[] standIns)
    {
        Text = text;
        _standIns = standIns;
    }

    /// <summary>The text to parse.</summary>
    public string Text { get; }

    public static LineSeparators Shield(string text)
    {
        if (text.AsSpan().IndexOfAny(Separators) < 0)
        {
            return new LineSeparators(text, []);
        }

        // Stand-ins from the Private Use Area (printable for YAML, meaningless elsewhere), three
        // that the text does not use.
        var used = new HashSet<char>(text.Where(c => c is >= '\uE000' and <= '\uF8FF'));
        var standIns = Enumerable.Range(0xE000, 0xF8FF - 0xE000 + 1).Select(c => (char)c).Where(c => !used.Contains(c)).Take(3).ToArray();
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var which = Array.IndexOf(Separators, chars[i]);
            if (which >= 0)
            {
                chars[i] = standIns[which];
            }
        }

        return new LineSeparators(new string(chars), standIns);
    }

    /// <summary>A value as written in the file, separators put back.</summary>
    public string Restore(string value)
    {
        if (_standIns.Length == 0 || value.AsSpan().IndexOfAny(_standIns) < 0)
        {
            return value;
        }

        var chars = value.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var which = Array.IndexOf(_standIns, chars[i]);
            if (which >= 0)
            {
                chars[i] = Separators[which];
            }
        }

        return new string(chars);
    }
}
