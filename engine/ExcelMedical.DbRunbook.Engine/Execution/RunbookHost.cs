using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Engine.Templating;

namespace ExcelMedical.DbRunbook.Engine.Execution;

/// <summary>The services every run uses, built once by the CLI (or a test) and shared.</summary>
internal sealed class RunbookHost
{
    public required TimeProvider Time { get; init; }

    public required StepCatalog Steps { get; init; }

    public TemplateEngine Templates { get; init; } = new();

    /// <summary>The process environment (tests pass their own).</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>Whether a person watches the console (not cron, systemd or a pipe): long steps then show a live status line.</summary>
    public bool InteractiveConsole { get; init; }

    public string StateDirectory => State.StateDirectory.Resolve(Environment);

    public static IReadOnlyDictionary<string, string> ProcessEnvironment() =>
        System.Environment.GetEnvironmentVariables()
            .Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? string.Empty, StringComparer.Ordinal);
}
