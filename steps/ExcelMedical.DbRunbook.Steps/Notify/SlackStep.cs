using ExcelMedical.DbRunbook.Engine.Reporting;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Notify;

namespace ExcelMedical.DbRunbook.Steps.Notify;

/// <summary>Posts the run's outcome to a Slack incoming webhook, colour-coded by severity.</summary>
[Step("notify.slack", "Post the run's outcome to a Slack incoming webhook, coloured by severity")]
public sealed class SlackStep : Step<SlackOptions>
{
    public override Task<StepPlan> PlanAsync(StepContext context, SlackOptions options, CancellationToken cancellationToken)
    {
        var channel = options.Channel is null ? "the webhook's channel" : options.Channel;
        return Task.FromResult(StepPlan.Of($"post the run summary to Slack ({channel}) via {options.Webhook}"));
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, SlackOptions options, CancellationToken cancellationToken)
    {
        var notice = context.Notice;
        await context.Webhook.PostJsonAsync(options.Webhook, SlackMessage.Build(notice, options), options.Timeout, "Slack", cancellationToken);
        return new StepOutputs().Add("severity", notice.Severity.ToString().ToLowerInvariant());
    }
}
