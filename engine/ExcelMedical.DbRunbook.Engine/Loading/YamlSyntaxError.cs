using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;
using YamlDotNet.Core;
using YamlDotNet.Core.Tokens;

namespace ExcelMedical.DbRunbook.Engine.Loading;

/// <summary>
/// Turns a YAML syntax error into a diagnostic at the line the operator must fix. The parser
/// notices a mistake where it gives up, often lines after the cause: an unclosed quote, '[' or
/// '{' swallows what follows; a tab in an indentation is reported at the top of the file. The
/// diagnostic points at where the broken construct starts and says where the parser gave up.
/// </summary>
internal static class YamlSyntaxError
{
    public static Diagnostic Describe(string text, string file, YamlException error)
    {
        var message = CleanMessage(error);
        var gaveUp = error.Start.Line == error.End.Line ? error.Start : error.End;
        if (message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstIndentationTab(text) is { } tab)
        {
            return new Diagnostic(new SourceLocation(file, tab.Line, tab.Column), $"YAML syntax error: a tab in the indentation of this line; YAML indents with spaces only{GaveUp(gaveUp, tab.Line, message)}");
        }

        if (message.Contains("quoted scalar", StringComparison.Ordinal))
        {
            return new Diagnostic(At(file, error.Start), $"YAML syntax error: the quoted text that starts here is not closed{GaveUp(gaveUp, (int)error.Start.Line, message)}");
        }

        if (message.Contains("flow", StringComparison.Ordinal) && OpenFlowAt(text, error.Start.Index) is { } open)
        {
            return new Diagnostic(At(file, open.Start), $"YAML syntax error in the '{open.Bracket}' opened here: is a '{Closing(open.Bracket)}' or a ',' missing?{GaveUp(gaveUp, -1, message)}");
        }

        var where = gaveUp.Line != error.Start.Line ? $" (the parser gave up at line {gaveUp.Line}, column {gaveUp.Column})" : string.Empty;
        return new Diagnostic(At(file, error.Start), $"YAML syntax error: {message}{where}");
    }

    /// <summary>YamlDotNet gives up this way when the file ends inside a '[' or '{'.</summary>
    public static Diagnostic DescribeUnclosed(string text, string file, Mark lastSeen)
    {
        if (OpenFlowAt(text, long.MaxValue) is { } open)
        {
            return new Diagnostic(At(file, open.Start), $"YAML syntax error: this '{open.Bracket}' is never closed: the file ends (line {LineCount(text)}) before its '{Closing(open.Bracket)}'");
        }

        return new Diagnostic(At(file, lastSeen), "YAML syntax error: the file ends before a '[' or '{' opened after this point is closed");
    }

    private static string GaveUp(Mark gaveUp, int constructLine, string message) =>
        gaveUp.Line == constructLine || (constructLine > 0 && gaveUp.Line < constructLine)
            ? $" ({message})"
            : $" (the parser gave up at line {gaveUp.Line}, column {gaveUp.Column}: {message})";

    /// <summary>
    /// The innermost '[' or '{' still open where the parser gave up (or where the scanner stopped):
    /// the scanner's tokens know which brackets are YAML's and which sit inside quotes or comments.
    /// </summary>
    private static (Mark Start, char Bracket)? OpenFlowAt(string text, long index)
    {
        var open = new Stack<(Mark Start, char Bracket)>();
        var scanner = new Scanner(new StringReader(text), skipComments: true);
        try
        {
            while (scanner.MoveNext() && scanner.Current is { } token && token.Start.Index < index)
            {
                switch (token)
                {
                    case FlowSequenceStart:
                        open.Push((token.Start, '['));
                        break;
                    case FlowMappingStart:
                        open.Push((token.Start, '{'));
                        break;
                    case FlowSequenceEnd or FlowMappingEnd when open.Count > 0:
                        open.Pop();
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is YamlException or InvalidOperationException)
        {
            // The scanner stops where the parser did; what is open by then is the answer.
        }

        return open.Count > 0 ? open.Peek() : null;
    }

    /// <summary>The first line whose indentation holds a tab, and the tab's column.</summary>
    private static (int Line, int Column)? FirstIndentationTab(string text)
    {
        var line = 1;
        var column = 1;
        var inIndentation = true;
        foreach (var c in text)
        {
            if (c == '\n')
            {
                line++;
                column = 1;
                inIndentation = true;
                continue;
            }

            if (inIndentation && c == '\t')
            {
                return (line, column);
            }

            inIndentation &= c == ' ';
            column++;
        }

        return null;
    }

    private static int LineCount(string text) => text.Count(c => c == '\n') + (text.EndsWith('\n') ? 0 : 1);

    private static char Closing(char bracket) => bracket == '[' ? ']' : '}';

    private static SourceLocation At(string file, Mark mark) => new(file, (int)mark.Line, (int)mark.Column);

    private static string CleanMessage(YamlException ex)
    {
        // YamlDotNet prefixes messages with "(Line: n, Col: m, Idx: i) - (Line: ...): ".
        var message = ex.Message;
        var cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        return (cut >= 0 ? message[(cut + 3)..] : message).TrimEnd('.');
    }
}
