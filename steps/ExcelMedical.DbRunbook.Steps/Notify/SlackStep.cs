using System.Net.Http.Json;
using System.Text.Json.Nodes;
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
        return Task.FromResult(StepPlan.Of($"post the run summary to Slack ({channel}) via {context.Secrets.Apply(options.Webhook)}"));
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, SlackOptions options, CancellationToken cancellationToken)
    {
        var notice = RunNotice.From(context.Record);
        var payload = SlackMessage.Build(notice, options);
        var text = JsonNode.Parse(context.Secrets.Apply(payload.ToJsonString()))!;
        using var http = new HttpClient { Timeout = options.Timeout };
        try
        {
            using var response = await http.PostAsJsonAsync(options.Webhook, text, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                throw new StepFailedException($"Slack answered {(int)response.StatusCode} {response.ReasonPhrase}: {body.Trim()}");
            }
        }
        catch (HttpRequestException ex)
        {
            throw new StepFailedException($"cannot reach Slack at {context.Secrets.Apply(options.Webhook)}: {ex.Message}", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StepFailedException($"Slack did not answer within {Engine.Model.Duration.Format(options.Timeout)}", ex);
        }

        return new StepOutputs().Add("severity", notice.Severity.ToString().ToLowerInvariant());
    }
}
