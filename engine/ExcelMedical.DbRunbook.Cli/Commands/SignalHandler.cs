using System.Runtime.InteropServices;

namespace ExcelMedical.DbRunbook.Cli.Commands;

/// <summary>
/// SIGINT and SIGTERM in stages, for <c>runbook run</c> and <c>runbook schedule</c>: the first signal
/// cancels the first stage, the next one the second, and so on (a signal after the last stage
/// cancels the last one again). Each stage prints its message, if it has one, as
/// <c>SIGINT: message</c>. The process is not ended by the signal itself: the command winds down.
/// </summary>
internal sealed class SignalHandler : IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _count;

    /// <param name="error">Where the stages' messages go.</param>
    /// <param name="stages">In order: what each signal cancels, and what it says (null: nothing).</param>
    public SignalHandler(TextWriter error, params (CancellationTokenSource Stage, string? Message)[] stages)
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                var (stage, message) = stages[Math.Min(Interlocked.Increment(ref _count), stages.Length) - 1];
                if (message is not null)
                {
                    error.WriteLine($"{context.Signal}: {message}");
                }

                stage.Cancel();
            }));
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }
}
