using System.Globalization;
using System.Net.Sockets;
using ExcelMedical.DbRunbook.Engine.Reporting;
using ExcelMedical.DbRunbook.Engine.Steps;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace ExcelMedical.DbRunbook.Steps.Notify;

/// <summary>Emails the run's outcome (to ALERT_EMAIL in the shipped playbooks) through SMTP with MailKit.</summary>
[Step("notify.email", "Email the run's outcome through SMTP (SMTP_* variables), with the log tail on failure")]
public sealed class EmailStep : Step<EmailOptions>
{
    public override Task<StepPlan> PlanAsync(StepContext context, EmailOptions options, CancellationToken cancellationToken)
    {
        var server = Server.Resolve(context, options);
        return Task.FromResult(StepPlan.Of($"email the run summary to {options.To} from {server.From} through {server.Host}:{server.Port} ({server.Transport})"));
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, EmailOptions options, CancellationToken cancellationToken)
    {
        var server = Server.Resolve(context, options);
        var notice = context.Notice;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(server.From));
        foreach (var recipient in options.To.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        // The subject is the one text not from the (already masked) notice: mask it before MIME encodes it.
        message.Subject = context.Secrets.Apply(options.Subject ?? $"[runbook] {notice.Title}");
        message.Headers.Add("X-Runbook-Severity", notice.Severity.ToString().ToLowerInvariant());
        message.Headers.Add("X-Runbook-Run", notice.RunId);
        var body = new BodyBuilder { TextBody = notice.PlainText() };
        if (options.AttachLog && notice.LogFile is { } log && File.Exists(log))
        {
            // The log was masked as it was written.
            await using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            await body.Attachments.AddAsync(Path.GetFileName(log), stream, cancellationToken);
        }

        message.Body = body.ToMessageBody();

        // 7-bit transfer encodings (quoted-printable, base64) for any non-ASCII text: old relays
        // and strict servers reject or drop raw 8-bit bodies.
        message.Prepare(EncodingConstraint.SevenBit);
        if (server.HasCredentials && server.Security == SecureSocketOptions.None)
        {
            context.Log.Warning("notify.email: security is none, so the SMTP password for {User} goes to {Host}:{Port} unencrypted", server.User, server.Host, server.Port);
        }

        using var client = new SmtpClient { Timeout = (int)options.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(server.Host, server.Port, server.Security, cancellationToken);
            if (server.User is { Length: > 0 } user)
            {
                await client.AuthenticateAsync(user, server.Password ?? string.Empty, cancellationToken);
            }

            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (NotSupportedException ex) when (server.HasCredentials && options.Security == SmtpSecurity.Auto)
        {
            // MailKit's words for a server without STARTTLS; ours say what to do.
            throw new StepFailedException(
                $"cannot send mail through {server.Host}:{server.Port}: the server does not offer STARTTLS, and the SMTP password is never sent unencrypted. "
                + "Enable TLS on the server, use security: ssl for a TLS port (465), or set security: none explicitly to send it in clear", ex);
        }
        catch (Exception ex) when (ex is SocketException or IOException or SmtpCommandException or SmtpProtocolException or AuthenticationException or ServiceNotConnectedException or SslHandshakeException or NotSupportedException)
        {
            throw new StepFailedException($"cannot send mail through {server.Host}:{server.Port}: {ex.Message}", ex);
        }

        return new StepOutputs().Add("recipients", message.To.Count).Add("subject", message.Subject);
    }

    /// <summary>
    /// runbook@host.domain. A bare host name (no dot) is not a valid mail domain for many relays,
    /// which drop the session at DATA; ".localdomain" keeps such a sender acceptable.
    /// </summary>
    private static string DefaultSender()
    {
        var host = System.Net.Dns.GetHostName();
        return "runbook@" + (host.Contains('.', StringComparison.Ordinal) ? host : host + ".localdomain");
    }

    /// <summary>The SMTP settings after falling back to the SMTP_* environment variables.</summary>
    private sealed record Server(string Host, int Port, string From, string? User, string? Password, SecureSocketOptions Security)
    {
        public bool HasCredentials => User is { Length: > 0 };

        public string Transport => Security switch
        {
            SecureSocketOptions.None when HasCredentials => "no TLS: the password is sent in clear",
            SecureSocketOptions.None => "no TLS",
            SecureSocketOptions.StartTls when HasCredentials => "STARTTLS required before the login",
            SecureSocketOptions.StartTls => "STARTTLS required",
            SecureSocketOptions.SslOnConnect => "TLS from the start",
            _ => "STARTTLS when offered",
        };

        public static Server Resolve(StepContext context, EmailOptions options)
        {
            var env = context.Environment;
            var host = options.SmtpHost ?? env.GetValueOrDefault("SMTP_HOST") ?? "localhost";
            var port = options.SmtpPort ?? (int.TryParse(env.GetValueOrDefault("SMTP_PORT"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : 25);
            var from = options.From ?? env.GetValueOrDefault("SMTP_FROM") ?? DefaultSender();
            var user = options.Username ?? env.GetValueOrDefault("SMTP_USER");
            var password = options.Password ?? env.GetValueOrDefault("SMTP_PASSWORD");
            var security = options.Security switch
            {
                SmtpSecurity.None => SecureSocketOptions.None,
                SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
                SmtpSecurity.Ssl => SecureSocketOptions.SslOnConnect,

                // With a password to send, "auto" means TLS or nothing: a server (or a man in the
                // middle stripping the STARTTLS offer) must not get it in clear.
                _ when user is { Length: > 0 } => SecureSocketOptions.StartTls,
                _ => SecureSocketOptions.StartTlsWhenAvailable,
            };
            return new Server(host, port, from, user, password, security);
        }
    }
}
