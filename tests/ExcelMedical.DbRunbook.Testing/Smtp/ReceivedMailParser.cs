using System.Text;
using MimeKit;

namespace ExcelMedical.DbRunbook.Testing.Smtp;

/// <summary>Turns the DATA section netDumbster recorded into a <see cref="ReceivedMail"/>.</summary>
internal static class ReceivedMailParser
{
    public static ReceivedMail Parse(string smtpData, IEnumerable<string> blindCopies)
    {
        using var data = new MemoryStream(Encoding.UTF8.GetBytes(RemoveDotStuffing(smtpData)));
        var message = MimeMessage.Load(data);
        return new ReceivedMail(
            From: message.From.Mailboxes.FirstOrDefault()?.Address ?? "",
            To: [.. message.To.Mailboxes.Select(mailbox => mailbox.Address)],
            Cc: [.. message.Cc.Mailboxes.Select(mailbox => mailbox.Address)],
            Bcc: [.. blindCopies],
            Subject: message.Subject ?? "",
            TextBody: message.TextBody,
            HtmlBody: message.HtmlBody,
            Headers: [.. message.Headers.Select(header => new KeyValuePair<string, string>(header.Field, header.Value))],
            Attachments: [.. message.Attachments.Select(Decode)],
            Message: message);
    }

    /// <summary>
    /// SMTP clients double a leading dot on every DATA line (RFC 5321 4.5.2) and netDumbster keeps the
    /// lines as sent, so one leading dot comes off each line here.
    /// </summary>
    private static string RemoveDotStuffing(string smtpData)
    {
        var lines = smtpData.Split("\r\n");
        for (var index = 0; index < lines.Length; index++)
        {
            if (lines[index].StartsWith('.'))
            {
                lines[index] = lines[index][1..];
            }
        }

        return string.Join("\r\n", lines);
    }

    private static ReceivedAttachment Decode(MimeEntity entity)
    {
        using var content = new MemoryStream();
        string? fileName;
        switch (entity)
        {
            case MimePart part:
                part.Content?.DecodeTo(content);
                fileName = part.FileName;
                break;
            case MessagePart attachedMail:
                attachedMail.Message?.WriteTo(content);
                fileName = entity.ContentDisposition?.FileName ?? entity.ContentType.Name;
                break;
            default:
                entity.WriteTo(content);
                fileName = entity.ContentDisposition?.FileName;
                break;
        }

        return new ReceivedAttachment(fileName ?? "", entity.ContentType.MimeType, content.ToArray());
    }
}
