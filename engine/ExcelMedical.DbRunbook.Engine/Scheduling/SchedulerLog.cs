using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Secrets;
using Serilog.Events;

namespace ExcelMedical.DbRunbook.Engine.Scheduling;

/// <summary>
/// The scheduler's own lines (<c>2026-03-08 03:00:00 -04:00 backup: next run ...</c>), on the
/// console or in the journal; problems go to standard error. Text is masked on the way out.
/// </summary>
internal sealed class SchedulerLog(TimeProvider time, TextWriter output, TextWriter error, SecretMasker masker, LogEventLevel level = LogEventLevel.Information)
{
    private readonly Lock _gate = new();

    public void Info(string message) => Write(LogEventLevel.Information, output, message);

    public void Warning(string message) => Write(LogEventLevel.Warning, error, "warning: " + message);

    public void Error(string message) => Write(LogEventLevel.Error, error, "error: " + message);

    private void Write(LogEventLevel severity, TextWriter writer, string message)
    {
        if (severity < level)
        {
            return;
        }

        var line = $"{time.GetLocalNow().ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture)} {masker.Apply(message)}";
        lock (_gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
