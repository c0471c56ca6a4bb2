using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Engine.Secrets;

namespace ExcelMedical.DbRunbook.Steps.Notify;

/// <summary>How to connect to the mail server. Unset values come from SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD and SMTP_FROM.</summary>
public enum SmtpSecurity
{
    Auto,
    None,
    StartTls,
    Ssl,
}

public sealed class EmailOptions
{
    [Required]
    [Description("Recipients, separated by commas, usually \"{{ env.ALERT_EMAIL }}\".")]
    public string To { get; set; } = string.Empty;

    [Description("The sender address (default: SMTP_FROM, else runbook@<host name>, with .localdomain added to a name without a dot).")]
    public string? From { get; set; }

    [Description("The subject (default: \"[runbook] <playbook> <outcome> on <host>\").")]
    public string? Subject { get; set; }

    [Description("The SMTP server (default: SMTP_HOST, else localhost).")]
    public string? SmtpHost { get; set; }

    [Range(1, 65535)]
    [Description("The SMTP port (default: SMTP_PORT, else 25).")]
    public int? SmtpPort { get; set; }

    [Description("The SMTP user name (default: SMTP_USER; no login when empty).")]
    public string? Username { get; set; }

    [Secret]
    [Description("The SMTP password (default: SMTP_PASSWORD).")]
    public string? Password { get; set; }

    [Description("Transport security: auto (STARTTLS when offered; required when a user name is set, so the password never travels in clear), none (no TLS, even with a password: a warning is logged), start_tls or ssl.")]
    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;

    [Description("Attach the run's log file.")]
    public bool AttachLog { get; set; }

    [Description("How long to wait for the mail server.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
