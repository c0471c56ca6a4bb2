using ExcelMedical.DbRunbook.Testing.Slack;
using ExcelMedical.DbRunbook.Testing.Smtp;
using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Engine;

/// <summary>One masker covers every channel output leaves the process through.</summary>
public sealed class SecretMaskingTests : IDisposable
{
    private const string Password = "Pa55-w0rd!xyz";
    private const string ApiToken = "tok_9f8e7d6c5b4a";
    private const string UriPassword = "m0ng0-s3cret";

    /// <summary>Every character JSON, HTML, MIME or a URI would escape: masked before encoding, or it slips through.</summary>
    private const string SpecialPassword = "p\"a+s&s<w>'\\ö";

    private readonly TempDirectory _dir = new();
    private readonly SmtpServer _smtp = new();
    private readonly SlackReceiver _slack = new();

    public void Dispose()
    {
        _smtp.Dispose();
        _slack.Dispose();
        _dir.Dispose();
    }

    private RunbookCliHarness Cli(string password = Password) => new(_dir["state"], new Dictionary<string, string>
    {
        ["POSTGRES_PASSWORD"] = password,
        ["BILLING_API_TOKEN"] = ApiToken,
        ["MONGO_URI"] = $"mongodb://backup:{UriPassword}@db.internal:27017/excel_medical",
        ["SLACK_WEBHOOK_URL"] = _slack.WebhookUrl.ToString(),
        ["SMTP_HOST"] = _smtp.Host,
        ["SMTP_PORT"] = _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["OUT"] = _dir.Path,
    });

    /// <summary>A playbook that pushes every kind of secret into every channel, then fails with them in the error.</summary>
    private string Playbook() => _dir.Write("leaky.yaml", """
        name: leaky
        log: "{{ env.OUT }}/leaky.log"
        vars:
          connection_line: "postgres password={{ env.POSTGRES_PASSWORD }} token={{ env.BILLING_API_TOKEN }}"
        steps:
          - id: echo
            uses: test.echo
            with:
              values:
                line: "{{ vars.connection_line }}"
                uri: "{{ env.MONGO_URI }}"
                hook: "{{ env.SLACK_WEBHOOK_URL }}"
          - id: report
            uses: report.render
            with: { template: report.sbn, output: "{{ env.OUT }}/report.txt" }
          - id: boom
            uses: test.fail
            with: { message: "could not connect with {{ env.MONGO_URI }} and {{ env.POSTGRES_PASSWORD }}" }
        notify:
          - uses: notify.email
            on: [failure]
            with: { to: dba@example.com, attach_log: true }
          - uses: notify.slack
            on: [failure]
            with: { webhook: "{{ env.SLACK_WEBHOOK_URL }}" }
        """);

    private static void AssertClean(string channel, string text, string password = Password)
    {
        foreach (var secret in new[] { password, ApiToken, UriPassword, SlackReceiver.WebhookPath })
        {
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{channel} leaks '{secret}':\n{text}");
        }
    }

    [Fact]
    public async Task Secrets_are_masked_in_console_log_record_report_notifications_and_errors()
    {
        _dir.Write("report.sbn", "line={{ steps.echo.outputs.line }}\nuri={{ steps.echo.outputs.uri }}\nhook={{ steps.echo.outputs.hook }}\n");

        var result = await Cli().RunAsync("run", Playbook());

        Assert.Equal(1, result.ExitCode);
        var mail = await _smtp.WaitForMessageAsync(null, TimeSpan.FromSeconds(10));
        var webhook = await _slack.WaitForRequestAsync(TimeSpan.FromSeconds(10));

        // The channels carried the information, with the secrets replaced.
        Assert.Contains("could not connect with", result.All);
        Assert.Contains("db.internal", result.All);
        Assert.Contains("***", File.ReadAllText(_dir["report.txt"]));

        AssertClean("console", result.All);
        AssertClean("log file", File.ReadAllText(_dir["leaky.log"]));
        AssertClean("run record", RunRecords.LatestText(_dir["state"], "leaky"));
        AssertClean("report", File.ReadAllText(_dir["report.txt"]));
        AssertClean("email", mail.Subject + mail.TextBody + string.Concat(mail.Attachments.Select(a => System.Text.Encoding.UTF8.GetString(a.Content))));
        AssertClean("slack", webhook.Body);
    }

    [Fact]
    public async Task A_password_with_quotes_markup_backslashes_and_umlauts_is_masked_on_every_channel_after_decoding()
    {
        _dir.Write("report.sbn", "line={{ steps.echo.outputs.line }}\nuri={{ steps.echo.outputs.uri }}\n");
        var cli = Cli(SpecialPassword);

        var result = await cli.RunAsync("run", Playbook());
        var plan = await cli.RunAsync("run", Playbook(), "--dry-run");

        Assert.Equal(1, result.ExitCode);
        var mail = await _smtp.WaitForMessageAsync(null, TimeSpan.FromSeconds(10));
        var webhook = await _slack.WaitForRequestAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("could not connect with", result.All);

        // Each channel is read as its consumer reads it: JSON decoded, MIME decoded.
        AssertClean("console", result.All, SpecialPassword);
        AssertClean("plan", plan.All, SpecialPassword);
        AssertClean("log file", File.ReadAllText(_dir["leaky.log"]), SpecialPassword);
        AssertClean("run record", Decoded(RunRecords.LatestText(_dir["state"], "leaky")), SpecialPassword);
        AssertClean("report", File.ReadAllText(_dir["report.txt"]), SpecialPassword);
        AssertClean("email", mail.Subject + mail.TextBody + string.Concat(mail.Attachments.Select(a => System.Text.Encoding.UTF8.GetString(a.Content))), SpecialPassword);
        AssertClean("slack", Decoded(webhook.Body), SpecialPassword);
        Assert.Contains("could not connect with", Decoded(webhook.Body));
        Assert.Contains("***", Decoded(RunRecords.LatestText(_dir["state"], "leaky")));
    }

    /// <summary>Every string of a JSON document (names and values), unescaped, one per line.</summary>
    private static string Decoded(string json)
    {
        var strings = new List<string>();
        Walk(System.Text.Json.Nodes.JsonNode.Parse(json));
        return string.Join('\n', strings);

        void Walk(System.Text.Json.Nodes.JsonNode? node)
        {
            switch (node)
            {
                case System.Text.Json.Nodes.JsonObject map:
                    foreach (var (name, value) in map)
                    {
                        strings.Add(name);
                        Walk(value);
                    }

                    break;
                case System.Text.Json.Nodes.JsonArray list:
                    foreach (var item in list)
                    {
                        Walk(item);
                    }

                    break;
                case System.Text.Json.Nodes.JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.String:
                    strings.Add(value.GetValue<string>());
                    break;
            }
        }
    }

    [Fact]
    public async Task Secrets_are_masked_in_the_dry_run_plan()
    {
        _dir.Write("report.sbn", "x");

        var result = await Cli().RunAsync("run", Playbook(), "--dry-run");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("echo line=postgres password=", result.All);
        AssertClean("plan", result.All);
    }

    [Fact]
    public async Task Log_files_and_reports_are_readable_by_their_owner_only()
    {
        _dir.Write("report.sbn", "x");
        await Cli().RunAsync("run", Playbook());

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_dir["leaky.log"]));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_dir["report.txt"]));
    }

    [Fact]
    public async Task Files_and_folders_a_shell_steps_program_creates_are_owner_only()
    {
        var playbook = _dir.Write("shell.yaml", """
            name: shell-files
            steps:
              - id: write
                uses: shell
                with:
                  program: sh
                  args: [-c, "mkdir \"$OUT/made\" && echo data > \"$OUT/made/out.txt\" && echo more > \"$OUT/top.txt\""]
                  env: { OUT: "{{ env.OUT }}" }
            """);

        var result = await Cli().RunAsync("run", playbook);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_dir["top.txt"]));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_dir["made/out.txt"]));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_dir["made"]));
    }
}
