using System.Globalization;
using System.Text.Json.Nodes;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Reporting;
using ExcelMedical.DbRunbook.Steps.Notify;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Notify;

/// <summary>The Slack webhook payload of a run notice: one attachment coloured by severity.</summary>
internal static class SlackMessage
{
    /// <summary>The guide's colours: success green, warning yellow, error red, info blue.</summary>
    public static string Colour(NoticeSeverity severity) => severity switch
    {
        NoticeSeverity.Success => "#2EB67D",
        NoticeSeverity.Warning => "#ECB22E",
        NoticeSeverity.Error => "#E01E5A",
        _ => "#36C5F0",
    };

    public static JsonObject Build(RunNotice notice, SlackOptions options)
    {
        var fields = new JsonArray();
        foreach (var step in notice.Steps)
        {
            var value = $"{step.Status} in {Duration.Format(step.Duration)}{(step.Details.Length > 0 ? " · " + step.Details : string.Empty)}";
            fields.Add(new JsonObject { ["title"] = step.Id, ["value"] = value, ["short"] = true });
        }

        var text = notice.Error is null ? string.Empty : $"*Error:* {notice.Error}";
        if (notice.Warnings.Count > 0)
        {
            text += (text.Length > 0 ? "\n" : string.Empty) + "*Warnings:*\n```" + string.Join('\n', notice.Warnings) + "```";
        }

        if (notice.Alerts.Count > 0)
        {
            text += (text.Length > 0 ? "\n" : string.Empty) + "*Alerts:*\n```" + string.Join('\n', notice.Alerts) + "```";
        }

        if (notice.LogTail.Count > 0)
        {
            text += "\n*Log tail:*\n```" + string.Join('\n', notice.LogTail.TakeLast(15)) + "```";
        }

        var payload = new JsonObject
        {
            ["username"] = options.Username,
            ["text"] = options.Message is { Length: > 0 } lead ? $"{lead}\n{notice.Title}" : notice.Title,
            ["attachments"] = new JsonArray(new JsonObject
            {
                ["color"] = Colour(notice.Severity),
                ["fallback"] = notice.Title,
                ["title"] = notice.Title,
                ["text"] = text,
                ["fields"] = fields,
                ["footer"] = $"runbook run {notice.RunId} · {Duration.Format(notice.Duration)}",
                ["ts"] = notice.Started.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                ["mrkdwn_in"] = new JsonArray("text"),
            }),
        };
        if (options.Channel is { Length: > 0 } channel)
        {
            payload["channel"] = channel;
        }

        return payload;
    }
}
