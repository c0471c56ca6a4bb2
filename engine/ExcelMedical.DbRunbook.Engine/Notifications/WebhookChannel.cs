using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ExcelMedical.DbRunbook.Engine.Secrets;
using ExcelMedical.DbRunbook.Engine.Steps;

namespace ExcelMedical.DbRunbook.Engine.Notifications;

/// <summary>
/// How notifiers post JSON to a webhook (<c>context.Webhook</c>). Every string of the payload is
/// masked before it is encoded, and the URL (which often is the secret) never appears in an error.
/// </summary>
public sealed class WebhookChannel
{
    private readonly SecretMasker _masker;

    internal WebhookChannel(SecretMasker masker) => _masker = masker;

    /// <summary>The payload exactly as it would be sent (masked), for plans and tests.</summary>
    public string Encode(JsonNode payload) => _masker.Apply(payload.DeepClone())?.ToJsonString() ?? "null";

    /// <summary>Posts the payload; a non-2xx answer, a refused connection or a timeout fails with a masked message.</summary>
    public async Task<string> PostJsonAsync(string url, JsonNode payload, TimeSpan timeout, string service, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = timeout };
        using var content = new StringContent(Encode(payload), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        try
        {
            using var response = await http.PostAsync(new Uri(url), content, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new StepFailedException(_masker.Apply($"{service} answered {(int)response.StatusCode} {response.ReasonPhrase}: {body.Trim()}"));
            }

            return body;
        }
        catch (HttpRequestException ex)
        {
            throw new StepFailedException(_masker.Apply($"cannot reach {service} at {url}: {ex.Message}"), ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StepFailedException($"{service} did not answer within {Model.Duration.Format(timeout)}", ex);
        }
        catch (UriFormatException ex)
        {
            throw new StepFailedException(_masker.Apply($"the {service} URL is not a valid URL ({url}): {ex.Message}"), ex);
        }
    }
}
