namespace ExcelMedical.DbRunbook.Engine.Processes;

/// <summary>
/// The end of what a child process wrote, for error messages and step outputs (the run's log keeps
/// all of it). <see cref="ChildProcess.ErrorSummary"/> and <see cref="ProcessResult.ErrorSummary"/>
/// apply it to standard error.
/// </summary>
public static class OutputTail
{
    /// <summary>
    /// The last <paramref name="count"/> non-empty lines joined by " | ", so a tool's closing
    /// complaint fits in a one-line message; "(no error output)" when there are none.
    /// </summary>
    public static string Lines(string text, int count)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Length == 0 ? "(no error output)" : string.Join(" | ", lines.TakeLast(count));
    }

    /// <summary>The last <paramref name="maxChars"/> characters, trailing white space trimmed, led by "…" when cut.</summary>
    public static string Chars(string text, int maxChars) =>
        text.Length <= maxChars ? text.TrimEnd() : "…" + text[^maxChars..].TrimEnd();
}
