using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Engine.Secrets;

namespace ExcelMedical.DbRunbook.Steps.Notify;

public sealed class SlackOptions
{
    [Required]
    [Secret]
    [Description("The Slack incoming-webhook URL, usually \"{{ env.SLACK_WEBHOOK_URL }}\".")]
    public string Webhook { get; set; } = string.Empty;

    [Description("Overrides the webhook's default channel, e.g. #db-alerts.")]
    public string? Channel { get; set; }

    [Description("The name the message is posted under.")]
    public string Username { get; set; } = "runbook";

    [Description("A first line of your own, before the run summary (templates allowed).")]
    public string? Message { get; set; }

    [Description("How long to wait for Slack to answer.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);
}
