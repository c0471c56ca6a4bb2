using ExcelMedical.DbRunbook.Engine.Secrets;
using Serilog.Events;
using Serilog.Formatting;

namespace ExcelMedical.DbRunbook.Engine.Logging;

/// <summary>Formats an event, then masks secrets in the text before any sink writes it.</summary>
internal sealed class MaskingFormatter(ITextFormatter inner, SecretMasker masker) : ITextFormatter
{
    public void Format(LogEvent logEvent, TextWriter output)
    {
        using var buffer = new StringWriter();
        inner.Format(logEvent, buffer);
        output.Write(masker.Apply(buffer.ToString()));
    }
}
