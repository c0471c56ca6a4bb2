using ExcelMedical.DbRunbook.Engine.Secrets;

namespace ExcelMedical.DbRunbook.Engine.Logging;

/// <summary>
/// How a long step says how far it got (bytes, rows, elapsed). On a terminal the status is one
/// line rewritten in place; in cron mail, journald and log files nothing is written, because the
/// step's start and end lines say enough there and a line per second would drown them.
/// </summary>
public class StepProgress
{
    public static StepProgress Silent { get; } = new();

    /// <summary>The console of an interactive session gets a live line; anything redirected gets <see cref="Silent"/>.</summary>
    public static StepProgress For(TextWriter console, bool interactive, SecretMasker masker, TimeProvider time) =>
        interactive ? new TerminalProgress(console, masker, time) : Silent;

    public virtual void Report(string status)
    {
    }

    /// <summary>Removes the line before the step's outcome is logged.</summary>
    public virtual void Clear()
    {
    }
}

/// <summary>A status line rewritten in place with a carriage return, at most four times a second.</summary>
internal sealed class TerminalProgress(TextWriter terminal, SecretMasker masker, TimeProvider time) : StepProgress
{
    private const string EraseLine = "\r\u001b[2K";
    private static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(250);

    private readonly Lock _gate = new();
    private long _lastWrite = long.MinValue;
    private bool _shown;

    public override void Report(string status)
    {
        lock (_gate)
        {
            var now = time.GetTimestamp();
            if (_lastWrite != long.MinValue && time.GetElapsedTime(_lastWrite, now) < MinimumInterval)
            {
                return;
            }

            _lastWrite = now;
            _shown = true;
            terminal.Write(EraseLine + "  … " + masker.Apply(status));
            terminal.Flush();
        }
    }

    public override void Clear()
    {
        lock (_gate)
        {
            if (_shown)
            {
                terminal.Write(EraseLine);
                terminal.Flush();
                _shown = false;
            }
        }
    }
}
