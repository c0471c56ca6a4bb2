using System.Text;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Metrics;

/// <summary>
/// Replaces the literals of a query's text with <c>'?'</c> before it goes into an alert, a
/// report or a CSV: they may hold patient data or passwords. A small lexer rather than a pattern,
/// because PostgreSQL cuts <c>pg_stat_activity.query</c> at track_activity_query_size (1 KiB by
/// default), often inside a literal: an unterminated string, <c>E'…'</c> string (backslash
/// escapes) or dollar-quoted body masks everything up to the end. Comments and quoted identifiers
/// are read as such, so a quote inside them cannot start or end a literal; text after an
/// unterminated comment is masked too. Every doubt ends in masking: a text that goes out
/// unmasked must have been read whole.
/// </summary>
internal static class SqlLiteralMask
{
    public const string Literal = "'?'";

    /// <summary>What an unterminated literal (cut by the server) becomes: it runs to the end.</summary>
    public const string Cut = "'?…";

    public static string Apply(string sql)
    {
        var output = new StringBuilder(sql.Length);
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            var next = i + 1 < sql.Length ? sql[i + 1] : '\0';
            if (c == '\'' || (c is 'E' or 'e' && next == '\'' && !IsIdentifierPart(Previous(sql, i))))
            {
                var backslashEscapes = c != '\'';
                var end = EndOfQuoted(sql, backslashEscapes ? i + 2 : i + 1, backslashEscapes);
                if (end < 0)
                {
                    return output.Append(Cut).ToString();
                }

                output.Append(Literal);
                i = end;
            }
            else if (c == '$' && DollarTag(sql, i) is { } tag)
            {
                var close = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                if (close < 0)
                {
                    return output.Append(Cut).ToString();
                }

                output.Append(Literal);
                i = close + tag.Length;
            }
            else if (c == '"')
            {
                var end = EndOfQuoted(sql, i + 1, backslashEscapes: false, quote: '"');
                if (end < 0)
                {
                    return output.Append(sql, i, 1).Append('…').ToString();
                }

                output.Append(sql, i, end - i);
                i = end;
            }
            else if (c == '-' && next == '-')
            {
                var end = sql.IndexOf('\n', i);
                end = end < 0 ? sql.Length : end;
                output.Append(sql, i, end - i);
                i = end;
            }
            else if (c == '/' && next == '*')
            {
                var end = EndOfBlockComment(sql, i);
                if (end < 0)
                {
                    return output.Append("/*…").ToString();
                }

                output.Append(sql, i, end - i);
                i = end;
            }
            else
            {
                output.Append(c);
                i++;
            }
        }

        return output.ToString();
    }

    /// <summary>The index after the closing quote, or -1 when the text ends first.</summary>
    private static int EndOfQuoted(string sql, int start, bool backslashEscapes, char quote = '\'')
    {
        for (var i = start; i < sql.Length; i++)
        {
            if (backslashEscapes && sql[i] == '\\')
            {
                i++;
            }
            else if (quote == '\'' && sql[i] == '\\' && i + 1 < sql.Length && sql[i + 1] == quote)
            {
                // 'a\'b': one literal with standard_conforming_strings off, a literal and more text with it
                // on (the default). Either reading could show part of a literal: treat it as cut here.
                return -1;
            }
            else if (sql[i] == quote)
            {
                if (i + 1 < sql.Length && sql[i + 1] == quote)
                {
                    i++;
                }
                else
                {
                    return i + 1;
                }
            }
        }

        return -1;
    }

    /// <summary>Block comments nest in PostgreSQL; the index after the last <c>*/</c>, or -1.</summary>
    private static int EndOfBlockComment(string sql, int start)
    {
        var depth = 0;
        for (var i = start; i + 1 < sql.Length; i++)
        {
            if (sql[i] == '/' && sql[i + 1] == '*')
            {
                depth++;
                i++;
            }
            else if (sql[i] == '*' && sql[i + 1] == '/')
            {
                depth--;
                i++;
                if (depth == 0)
                {
                    return i + 1;
                }
            }
        }

        return -1;
    }

    /// <summary>
    /// <c>$tag$</c> or <c>$$</c> opening a dollar-quoted string: the tag is an identifier (not
    /// starting with a digit, so <c>$1</c> stays a parameter), and not glued to a preceding identifier.
    /// </summary>
    private static string? DollarTag(string sql, int start)
    {
        if (IsIdentifierPart(Previous(sql, start)))
        {
            return null;
        }

        var i = start + 1;
        if (i < sql.Length && char.IsDigit(sql[i]))
        {
            return null;
        }

        while (i < sql.Length && sql[i] != '$')
        {
            if (!IsIdentifierPart(sql[i]))
            {
                return null;
            }

            i++;
        }

        return i < sql.Length ? sql[start..(i + 1)] : null;
    }

    private static char Previous(string sql, int index) => index > 0 ? sql[index - 1] : ' ';

    private static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c is '_' or '$';
}
