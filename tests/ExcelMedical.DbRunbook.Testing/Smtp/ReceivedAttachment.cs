namespace ExcelMedical.DbRunbook.Testing.Smtp;

/// <summary>An attachment of a received mail, decoded from its transfer encoding.</summary>
public sealed record ReceivedAttachment(string FileName, string ContentType, byte[] Content)
{
    /// <summary>The content read as UTF-8 text (for CSV or log attachments).</summary>
    public string ContentAsText() => System.Text.Encoding.UTF8.GetString(Content);
}
