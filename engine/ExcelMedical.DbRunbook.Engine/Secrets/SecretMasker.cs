using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ExcelMedical.DbRunbook.Engine.Secrets;

/// <summary>
/// The one place secrets are removed from text. Every channel where text leaves the process
/// (log sinks, plans, reports, notifications, run records, exception messages) passes through
/// <see cref="Mask"/>. Known secret values are replaced, and so are the shapes of secrets
/// nobody registered: credentials inside URIs and Slack webhook paths.
/// </summary>
public sealed partial class SecretMasker
{
    public const string Mask = "***";

    // Shorter values would mask ordinary words and digits all over the output.
    private const int MinimumSecretLength = 3;

    private readonly Lock _gate = new();
    private string[] _values = [];

    /// <summary>Registers a secret value, and its URL-encoded and base64 forms, which leak just as well.</summary>
    public void Add(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length < MinimumSecretLength)
        {
            return;
        }

        var forms = new HashSet<string>(StringComparer.Ordinal)
        {
            value,
            Uri.EscapeDataString(value),
            Convert.ToBase64String(Encoding.UTF8.GetBytes(value)),
        };

        // A multi-line secret (a key file) may be printed one line at a time.
        foreach (var line in value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.Length >= MinimumSecretLength)
            {
                forms.Add(line);
            }
        }

        lock (_gate)
        {
            // Longest first, so a secret that contains another is masked whole.
            _values = [.. _values.Union(forms).OrderByDescending(v => v.Length)];
        }
    }

    /// <summary>Registers a variable's value when its name says it is a secret.</summary>
    public void AddIfSecretName(string name, string? value)
    {
        if (IsSecretName(name))
        {
            Add(value);
        }
    }

    /// <summary>Names like POSTGRES_PASSWORD, API_SECRET, SLACK_TOKEN, AWS_SECRET_ACCESS_KEY, SLACK_WEBHOOK_URL.</summary>
    public static bool IsSecretName(string name) =>
        SecretNameRegex().IsMatch(name);

    public string Apply(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        var values = Volatile.Read(ref _values);
        var builder = new StringBuilder(text);
        foreach (var value in values)
        {
            builder.Replace(value, Mask);
        }

        var masked = builder.ToString();
        masked = UriCredentialsRegex().Replace(masked, m => $"{m.Groups["scheme"].Value}{m.Groups["user"].Value}:{Mask}@");
        masked = SlackWebhookRegex().Replace(masked, m => m.Groups["prefix"].Value + Mask);
        masked = PasswordAssignmentRegex().Replace(masked, m => m.Groups["key"].Value + Mask);
        return masked;
    }

    /// <summary>
    /// Masks every string (values and property names) of a JSON tree in place, before it is
    /// encoded: once encoded, a secret with <c>" + &amp; &lt; &gt; ' \</c> or non-ASCII letters is
    /// escaped and no longer matches.
    /// </summary>
    public JsonNode? Apply(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject map:
                foreach (var (name, value) in map.ToList())
                {
                    var masked = Apply(name);
                    map.Remove(name);
                    map[masked] = Apply(value);
                }

                break;
            case JsonArray list:
                for (var i = 0; i < list.Count; i++)
                {
                    list[i] = Apply(list[i]?.DeepClone());
                }

                break;
            case JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.String:
                return JsonValue.Create(Apply(value.GetValue<string>()));
        }

        return node;
    }

    /// <summary>Serializes a value to JSON with every string masked before it is encoded.</summary>
    public string Serialize<T>(T value, System.Text.Json.JsonSerializerOptions options) =>
        Apply(System.Text.Json.JsonSerializer.SerializeToNode(value, options))?.ToJsonString(options) ?? "null";

    /// <summary>An exception's message (and its inner messages) with secrets masked.</summary>
    public string Apply(Exception exception)
    {
        var messages = new List<string>();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (messages.Count == 0 || !messages[^1].Contains(current.Message, StringComparison.Ordinal))
            {
                messages.Add(current.Message);
            }
        }

        return Apply(string.Join(" ---> ", messages));
    }

    [GeneratedRegex("(PASSWORD|PASSWD|SECRET|TOKEN|KEY|WEBHOOK|CREDENTIAL)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretNameRegex();

    // scheme://user:password@host  ->  scheme://user:***@host
    [GeneratedRegex(@"(?<scheme>[a-zA-Z][a-zA-Z0-9+.\-]*://)(?<user>[^:/@\s]*):(?<password>[^@/\s]+)@")]
    private static partial Regex UriCredentialsRegex();

    // https://hooks.slack.com/services/T000/B000/XXXX -> https://hooks.slack.com/services/***
    [GeneratedRegex(@"(?<prefix>https?://hooks\.slack\.com/(services|workflows|triggers)/)[^\s""'<>]+")]
    private static partial Regex SlackWebhookRegex();

    // password=... in connection strings and key=value output (Npgsql, libpq, JDBC).
    [GeneratedRegex(@"(?<key>\b(password|pwd)\s*=\s*)[^;\s""']+", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordAssignmentRegex();
}
