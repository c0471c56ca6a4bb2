using MimeKit;

namespace ExcelMedical.DbRunbook.Testing.Smtp;

/// <summary>A mail the fake SMTP server accepted, parsed with MimeKit.</summary>
public sealed record ReceivedMail(
    string From,
    IReadOnlyList<string> To,
    IReadOnlyList<string> Cc,
    IReadOnlyList<string> Bcc,
    string Subject,
    string? TextBody,
    string? HtmlBody,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    IReadOnlyList<ReceivedAttachment> Attachments,
    MimeMessage Message)
{
    /// <summary>The first value of header <paramref name="name"/> (case-insensitive), or null.</summary>
    public string? Header(string name) =>
        Headers.FirstOrDefault(header => string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>The attachment called <paramref name="fileName"/>; throws listing the names there are.</summary>
    public ReceivedAttachment Attachment(string fileName) =>
        Attachments.FirstOrDefault(attachment => attachment.FileName == fileName)
        ?? throw new KeyNotFoundException(
            $"mail '{Subject}' has no attachment '{fileName}'; it has: {string.Join(", ", Attachments.Select(attachment => attachment.FileName))}");

    public override string ToString() => $"'{Subject}' from {From} to {string.Join(", ", To)}";
}
