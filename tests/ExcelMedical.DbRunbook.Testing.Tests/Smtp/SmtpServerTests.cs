using System.Security.Cryptography;
using System.Text;
using ExcelMedical.DbRunbook.Testing.Smtp;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Xunit;

namespace ExcelMedical.DbRunbook.Testing.Tests.Smtp;

public sealed class SmtpServerTests : IClassFixture<SmtpServer>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly SmtpServer _server;

    public SmtpServerTests(SmtpServer server)
    {
        _server = server;
        _server.Clear();
    }

    [Fact]
    public async Task Mail_sent_with_MailKit_is_read_back_with_addresses_bodies_headers_and_attachment()
    {
        const string Report = "table,rows\naudit_logs,5000\n.hidden,1\nZoë,2\n";
        var dump = RandomNumberGenerator.GetBytes(20_000);
        var body = new BodyBuilder
        {
            // The leading dot on the second line is dot-stuffed in transit and must come back as one dot.
            TextBody = "Backup finished.\n.dump stored in s3://backups\n",
            HtmlBody = "<p>Backup <b>finished</b>.</p>",
        };
        body.Attachments.Add("row-counts.csv", Encoding.UTF8.GetBytes(Report), ContentType.Parse("text/csv"));
        body.Attachments.Add("app.dump", dump, ContentType.Parse("application/octet-stream"));
        var message = new MimeMessage
        {
            Subject = "Nightly backup ✓ done",
            Body = body.ToMessageBody(),
        };
        message.From.Add(MailboxAddress.Parse("runbook@excelmedical.example"));
        message.To.Add(MailboxAddress.Parse("ops@excelmedical.example"));
        message.Cc.Add(MailboxAddress.Parse("dba@excelmedical.example"));
        message.Bcc.Add(MailboxAddress.Parse("audit@excelmedical.example"));
        message.Headers.Add("X-Runbook-Run", "run-42");

        await SendAsync(message);
        var received = await _server.WaitForMessageAsync(mail => mail.Subject == "Nightly backup ✓ done", Patience);

        Assert.Equal("runbook@excelmedical.example", received.From);
        Assert.Equal(["ops@excelmedical.example"], received.To);
        Assert.Equal(["dba@excelmedical.example"], received.Cc);
        Assert.Equal(["audit@excelmedical.example"], received.Bcc);
        Assert.Equal("Backup finished.\n.dump stored in s3://backups\n", received.TextBody?.ReplaceLineEndings("\n"));
        Assert.Equal("<p>Backup <b>finished</b>.</p>", received.HtmlBody?.Trim());
        Assert.Equal("run-42", received.Header("x-runbook-run"));
        Assert.Equal(["row-counts.csv", "app.dump"], received.Attachments.Select(attachment => attachment.FileName));
        var csv = received.Attachment("row-counts.csv");
        Assert.Equal("text/csv", csv.ContentType);
        // Text travels with canonical CRLF line ends (RFC 2046), so compare lines rather than bytes.
        Assert.Equal(Report, csv.ContentAsText().ReplaceLineEndings("\n"));
        Assert.Equal(dump, received.Attachment("app.dump").Content);
    }

    [Fact]
    public async Task Messages_are_kept_in_arrival_order_until_cleared()
    {
        foreach (var subject in new[] { "first", "second", "third" })
        {
            await SendAsync(Plain(subject));
        }

        var received = await _server.WaitForMessagesAsync(3, Patience);

        Assert.Equal(["first", "second", "third"], received.Select(mail => mail.Subject));
        Assert.Equal(["first", "second", "third"], _server.Messages.Select(mail => mail.Subject));
        _server.Clear();
        Assert.Empty(_server.Messages);
    }

    [Fact]
    public async Task Waiting_returns_a_mail_that_arrives_after_the_wait_began()
    {
        var waiting = _server.WaitForMessageAsync(mail => mail.Subject == "late", Patience);
        Assert.False(waiting.IsCompleted);

        await SendAsync(Plain("early"));
        await SendAsync(Plain("late"));

        Assert.Equal("late", (await waiting).Subject);
    }

    [Fact]
    public async Task A_client_that_logs_in_and_negotiates_tls_when_offered_still_delivers()
    {
        // The fake offers AUTH PLAIN and no STARTTLS, so a client configured for a real relay falls back to plain text.
        using var client = new SmtpClient();
        await client.ConnectAsync(_server.Host, _server.Port, SecureSocketOptions.StartTlsWhenAvailable);
        await client.AuthenticateAsync("runbook", "relay-password");
        await client.SendAsync(Plain("authenticated"));
        await client.DisconnectAsync(quit: true);

        Assert.False(client.IsConnected);
        Assert.Equal("authenticated", (await _server.WaitForMessageAsync(mail => mail.Subject == "authenticated", Patience)).TextBody?.TrimEnd());
    }

    [Fact]
    public async Task Waiting_in_vain_times_out_naming_what_did_arrive()
    {
        await SendAsync(Plain("disk almost full"));

        var error = await Assert.ThrowsAsync<TimeoutException>(
            () => _server.WaitForMessageAsync(mail => mail.Subject == "never sent", TimeSpan.FromMilliseconds(300)));

        Assert.Contains("'disk almost full'", error.Message);
    }

    private static MimeMessage Plain(string subject)
    {
        var message = new MimeMessage { Subject = subject, Body = new TextPart("plain") { Text = subject } };
        message.From.Add(MailboxAddress.Parse("runbook@excelmedical.example"));
        message.To.Add(MailboxAddress.Parse("ops@excelmedical.example"));
        return message;
    }

    private async Task SendAsync(MimeMessage message)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync(_server.Host, _server.Port, SecureSocketOptions.None);
        await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);
    }
}
