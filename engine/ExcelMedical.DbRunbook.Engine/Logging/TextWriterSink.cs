using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace ExcelMedical.DbRunbook.Engine.Logging;

/// <summary>
/// Writes log events to a <see cref="TextWriter"/> (the console in production, a buffer in tests);
/// Serilog's own console sink can only write to <see cref="Console"/>.
/// </summary>
internal sealed class TextWriterSink(TextWriter writer, ITextFormatter formatter) : ILogEventSink
{
    private readonly Lock _gate = new();

    public void Emit(LogEvent logEvent)
    {
        lock (_gate)
        {
            formatter.Format(logEvent, writer);
            writer.Flush();
        }
    }
}
