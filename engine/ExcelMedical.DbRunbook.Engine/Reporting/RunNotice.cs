using System.Text;
using ExcelMedical.DbRunbook.Engine.Alerts;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Secrets;

namespace ExcelMedical.DbRunbook.Engine.Reporting;

/// <summary>The guide's notification colours: success green, warning yellow, error red, info blue.</summary>
public enum NoticeSeverity
{
    Info,
    Success,
    Warning,
    Error,
}

/// <summary>
/// What a notification says about a finished run, independent of the channel: a title, the
/// outcome of each step with its duration and sizes, the alerts, and on failure the failing
/// step, its error and the tail of the log. Email, Slack and any other notifier render this one
/// model, which the engine builds with every text already masked, so a channel encodes (JSON,
/// MIME, HTML) only masked text.
/// </summary>
public sealed record RunNotice(
    NoticeSeverity Severity,
    string Title,
    string RunId,
    string Playbook,
    string Status,
    DateTimeOffset Started,
    TimeSpan Duration,
    IReadOnlyList<NoticeLine> Steps,
    string? Error,
    IReadOnlyList<string> Alerts,
    IReadOnlyList<string> LogTail,
    string? LogFile)
{
    /// <summary>What a <c>warning</c> run left for a human, "step: message" each, with the way forward.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public const int LogTailLines = 30;

    internal static RunNotice From(RunRecord record, SecretMasker masker)
    {
        var severity = record.Status switch
        {
            RunStatus.Failed => NoticeSeverity.Error,
            RunStatus.Cancelled or RunStatus.Warning => NoticeSeverity.Warning,
            RunStatus.Succeeded => NoticeSeverity.Success,
            _ => NoticeSeverity.Info,
        };
        var verb = record.Status switch
        {
            RunStatus.Warning => "succeeded with warnings",
            RunStatus.Planned => "planned (dry run)",
            _ => StatusNames.Of(record.Status),
        };
        var title = $"{record.Playbook} {verb} on {record.Host}";
        if (record.Alerts.Count > 0 && record.Status is RunStatus.Succeeded or RunStatus.Warning)
        {
            // The alerts colour the notice, never lighter than the run's own warning.
            var alerts = AlertNotice.Severity(record.Alerts);
            severity = record.Status == RunStatus.Warning && alerts == NoticeSeverity.Success ? NoticeSeverity.Warning : alerts;
            title = $"{record.Playbook}: {AlertNotice.Summary(record.Alerts)}{(record.Status == RunStatus.Warning ? ", with warnings" : string.Empty)} on {record.Host}";
        }

        var lines = record.Steps.Select(s => new NoticeLine(
            masker.Apply(s.Id),
            s.Uses,
            StatusNames.Of(s.Status),
            s.Duration,
            masker.Apply(Details(s)),
            s.IsFailure ? masker.Apply(s.Message) : null)).ToList();
        var tail = record.Status is RunStatus.Failed or RunStatus.Cancelled ? ReadTail(record.LogFile) : [];
        return new RunNotice(
            severity,
            masker.Apply(title),
            record.Id,
            masker.Apply(record.Playbook),
            StatusNames.Of(record.Status),
            record.Started,
            record.Duration,
            lines,
            record.Error is null ? null : masker.Apply(record.Error),
            [.. AlertNotice.Lines(record.Alerts).Select(masker.Apply)],
            [.. tail.Select(masker.Apply)],
            record.LogFile)
        {
            Warnings = [.. (record.Warnings ?? []).Select(masker.Apply)],
        };
    }

    public string PlainText()
    {
        var text = new StringBuilder();
        text.AppendLine(Title);
        text.AppendLine($"Run {RunId}, started {Started:yyyy-MM-dd HH:mm:ss zzz}, took {Model.Duration.Format(Duration)}");
        text.AppendLine();
        if (Error is not null)
        {
            text.AppendLine($"Error: {Error}");
            text.AppendLine();
        }

        if (Warnings.Count > 0)
        {
            text.AppendLine("Warnings (the run did its job; these are left for a human):");
            foreach (var line in Warnings)
            {
                text.AppendLine("  " + line);
            }

            text.AppendLine();
        }

        if (Alerts.Count > 0)
        {
            text.AppendLine("Alerts:");
            foreach (var line in Alerts)
            {
                text.AppendLine("  " + line);
            }

            text.AppendLine();
        }

        foreach (var step in Steps)
        {
            text.Append($"  {step.Status,-10} {step.Id} ({step.Uses}) {Model.Duration.Format(step.Duration)}");
            text.AppendLine(step.Details.Length > 0 ? $"  {step.Details}" : string.Empty);
            if (step.Message is not null)
            {
                text.AppendLine($"             {step.Message}");
            }
        }

        if (LogTail.Count > 0)
        {
            text.AppendLine();
            text.AppendLine($"Last lines of the log ({LogFile}):");
            foreach (var line in LogTail)
            {
                text.AppendLine("  " + line);
            }
        }

        return text.ToString();
    }

    /// <summary>Sizes and counts a step reported (outputs named *size*/*bytes*/*rows*/*count*), shown beside its status.</summary>
    private static string Details(StepRecord step) => string.Join(", ", step.Outputs
        .Where(o => o.Value is long or int or double && (o.Key.Contains("bytes", StringComparison.Ordinal) || o.Key.Contains("size", StringComparison.Ordinal)
            || o.Key.Contains("rows", StringComparison.Ordinal) || o.Key.Contains("count", StringComparison.Ordinal)))
        .Select(o => o.Key.Contains("bytes", StringComparison.Ordinal) || o.Key.Contains("size", StringComparison.Ordinal)
            ? $"{o.Key} {Templating.TemplateFunctions.Bytes(o.Value)}"
            : $"{o.Key} {o.Value}"));

    private static List<string> ReadTail(string? logFile)
    {
        if (logFile is null || !File.Exists(logFile))
        {
            return [];
        }

        try
        {
            using var stream = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var lines = new Queue<string>();
            while (reader.ReadLine() is { } line)
            {
                lines.Enqueue(line);
                if (lines.Count > LogTailLines)
                {
                    lines.Dequeue();
                }
            }

            return [.. lines];
        }
        catch (IOException)
        {
            return [];
        }
    }
}

public sealed record NoticeLine(string Id, string Uses, string Status, TimeSpan Duration, string Details, string? Message);
