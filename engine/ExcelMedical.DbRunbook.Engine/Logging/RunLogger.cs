using ExcelMedical.DbRunbook.Engine.IO;
using ExcelMedical.DbRunbook.Engine.Secrets;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace ExcelMedical.DbRunbook.Engine.Logging;

/// <summary>
/// The logger of one run: short human-readable lines on the console and a detailed log file
/// where the playbook says (<c>backup_YYYYMMDD_HHMMSS.log</c>). Both pass through the masker.
/// </summary>
internal static class RunLogger
{
    public const string ConsoleTemplate = "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}";

    public const string FileTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj}{NewLine}{Exception}";

    public static Logger Create(TextWriter console, string? logFile, SecretMasker masker, LogEventLevel consoleLevel = LogEventLevel.Information)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Debug()
            .WriteTo.Sink(
                new TextWriterSink(console, new MaskingFormatter(new MessageTemplateTextFormatter(ConsoleTemplate, System.Globalization.CultureInfo.InvariantCulture), masker)),
                consoleLevel);

        if (logFile is not null)
        {
            // Created 0600 here, before Serilog opens it in append mode and keeps the mode.
            SecureFiles.Touch(logFile);
            configuration = configuration.WriteTo.File(
                new MaskingFormatter(new MessageTemplateTextFormatter(FileTemplate, System.Globalization.CultureInfo.InvariantCulture), masker),
                logFile,
                shared: true);
        }

        return configuration.CreateLogger();
    }
}
