namespace ExcelMedical.DbRunbook.Engine.Processes;

/// <summary>
/// A program to start: an executable and an argument list, never a shell string, so nothing is
/// re-parsed by a shell. Secrets go in <see cref="Environment"/> (e.g. PGPASSWORD), never in arguments.
/// </summary>
public sealed record ProcessSpec(string Program, IReadOnlyList<string> Arguments)
{
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public string? WorkingDirectory { get; init; }

    /// <summary>How the command is shown in logs and plans (arguments quoted where needed).</summary>
    public string Display => string.Join(' ', new[] { Program }.Concat(Arguments).Select(Quote));

    private static string Quote(string value) =>
        value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '$' or '|' or '&' or ';')
            ? "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'"
            : value;
}
