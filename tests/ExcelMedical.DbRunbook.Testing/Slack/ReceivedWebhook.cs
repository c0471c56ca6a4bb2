using System.Text.Json;

namespace ExcelMedical.DbRunbook.Testing.Slack;

/// <summary>One HTTP request <see cref="SlackReceiver"/> recorded.</summary>
public sealed record ReceivedWebhook(
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    JsonElement? Json)
{
    /// <summary>The payload's top-level "text" (the message Slack shows), or null when there is none.</summary>
    public string? Text =>
        Json is { ValueKind: JsonValueKind.Object } root
        && root.TryGetProperty("text", out var text)
        && text.ValueKind == JsonValueKind.String
            ? text.GetString()
            : null;

    /// <summary>A record of a request; <see cref="Json"/> is null when the body is not JSON.</summary>
    public static ReceivedWebhook Create(string method, string path, IReadOnlyDictionary<string, string> headers, string body) =>
        new(method, path, headers, body, ParseJson(body));

    public override string ToString() => $"{Method} {Path} ({Body.Length} chars)";

    private static JsonElement? ParseJson(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            // Cloned so the element outlives the document and nobody has to dispose anything.
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
