using System.Globalization;
using System.Text;
using ExcelMedical.DbRunbook.Testing.Smtp;
using ExcelMedical.DbRunbook.Testing.Support;
using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Notify;

/// <summary>
/// SMTP credentials never cross the wire in clear: netDumbster offers AUTH but no STARTTLS, and
/// a recording relay in front of it sees every byte the client sends.
/// </summary>
public sealed class EmailTransportTests : IDisposable
{
    private const string User = "runbook-mailer";
    private const string Password = "Smtp-S3cret-Pa55";

    private readonly TempDirectory _dir = new();
    private readonly SmtpServer _smtp = new();
    private readonly RecordingTcpProxy _wire;

    public EmailTransportTests() => _wire = new RecordingTcpProxy(_smtp.Host, _smtp.Port);

    public void Dispose()
    {
        _wire.Dispose();
        _smtp.Dispose();
        _dir.Dispose();
    }

    private RunbookCliHarness Cli() => new(_dir["state"], new Dictionary<string, string>
    {
        ["SMTP_HOST"] = _wire.Host,
        ["SMTP_PORT"] = _wire.Port.ToString(CultureInfo.InvariantCulture),
        ["SMTP_USER"] = User,
        ["SMTP_PASSWORD"] = Password,
    });

    private string Playbook(string security) => _dir.Write("mailer.yaml", $$"""
        name: mailer
        steps:
          - id: tell
            uses: notify.email
            with: { to: dba@example.com{{security}} }
        """);

    /// <summary>The password as an eavesdropper could read it: plain, or base64 in AUTH PLAIN and AUTH LOGIN.</summary>
    private static IEnumerable<string> PasswordForms() =>
    [
        Password,
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{User}\0{Password}")),
        Convert.ToBase64String(Encoding.UTF8.GetBytes(Password)),
    ];

    [Fact]
    public async Task With_credentials_and_security_auto_a_server_without_starttls_is_refused_and_nothing_is_sent_in_clear()
    {
        var result = await Cli().RunAsync("run", Playbook(security: ""));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not offer STARTTLS, and the SMTP password is never sent unencrypted", result.All, StringComparison.Ordinal);
        Assert.Contains("EHLO", _wire.ClientBytes, StringComparison.Ordinal);
        Assert.DoesNotContain("AUTH", _wire.ClientBytes, StringComparison.Ordinal);
        Assert.DoesNotContain("MAIL FROM", _wire.ClientBytes, StringComparison.Ordinal);
        Assert.All(PasswordForms(), form => Assert.DoesNotContain(form, _wire.ClientBytes, StringComparison.Ordinal));
        Assert.Empty(_smtp.Messages);
    }

    [Fact]
    public async Task Security_none_set_explicitly_sends_with_a_warning()
    {
        var result = await Cli().RunAsync("run", Playbook(security: ", security: none"));

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("the SMTP password for runbook-mailer goes to", result.All, StringComparison.Ordinal);
        Assert.Contains("unencrypted", result.All, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, result.All, StringComparison.Ordinal);
        Assert.Contains("AUTH", _wire.ClientBytes, StringComparison.Ordinal);
        await _smtp.WaitForMessageAsync(null, TimeSpan.FromSeconds(10));
    }
}
