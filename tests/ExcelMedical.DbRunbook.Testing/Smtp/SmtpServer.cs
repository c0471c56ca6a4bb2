using System.Net;
using System.Net.Sockets;
using ExcelMedical.DbRunbook.Testing.Support;
using netDumbster.smtp;

namespace ExcelMedical.DbRunbook.Testing.Smtp;

/// <summary>
/// A fake SMTP server (netDumbster) on a free loopback port, in this process. It accepts every
/// mail without authentication or TLS and keeps it for the test to read. Starting one is cheap, so
/// use one per test class (IClassFixture&lt;SmtpServer&gt;) and <see cref="Clear"/> between tests
/// rather than sharing one between classes that run in parallel.
/// </summary>
public sealed class SmtpServer : IDisposable
{
    private const int BindAttempts = 5;

    private readonly SimpleSmtpServer _server;
    private readonly ArrivalLog<ReceivedMail> _received = new();
    private readonly ArrivalLog<string> _rejected = new();

    public SmtpServer()
    {
        _server = Bind();
        // Recorded from the event rather than netDumbster's store: the store is an unordered bag.
        _server.MessageReceived += (_, arguments) => Record(arguments.Message);
    }

    public string Host => _server.Configuration.IPAddress.ToString();

    public int Port => _server.Configuration.Port;

    /// <summary>Every mail received since the start or the last <see cref="Clear"/>, oldest first.</summary>
    public IReadOnlyList<ReceivedMail> Messages => _received.Snapshot();

    /// <summary>
    /// The first mail <paramref name="match"/> accepts (any mail when null), received already or within
    /// <paramref name="timeout"/>; throws <see cref="TimeoutException"/> listing what did arrive.
    /// </summary>
    public Task<ReceivedMail> WaitForMessageAsync(Func<ReceivedMail, bool>? match, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _received.WaitForAsync(match, timeout, Describe, cancellationToken);

    /// <summary>Waits until at least <paramref name="count"/> mails have arrived and returns them all.</summary>
    public Task<IReadOnlyList<ReceivedMail>> WaitForMessagesAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _received.WaitForCountAsync(count, timeout, Describe, cancellationToken);

    public void Clear()
    {
        _received.Clear();
        _server.ClearReceivedEmail();
    }

    public void Dispose() => _server.Dispose();

    private static SimpleSmtpServer Bind()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return Configuration.Configure()
                    .WithAddress(IPAddress.Loopback)
                    .WithPort(FreePort.Next())
                    .Build();
            }
            catch (SocketException) when (attempt < BindAttempts)
            {
                // Another process took the free port before netDumbster bound it; pick another.
            }
        }
    }

    private void Record(SmtpMessage message)
    {
        try
        {
            _received.Add(ReceivedMailParser.Parse(message.Data, message.BccAddresses.Select(address => address.Address)));
        }
        catch (FormatException error)
        {
            _rejected.Add($"unparseable mail: {error.Message}");
        }
    }

    private string Describe(IReadOnlyList<ReceivedMail> received)
    {
        var problems = _rejected.Snapshot();
        return $"received {received.Count} mail(s): [{string.Join("; ", received)}]"
            + (problems.Count > 0 ? $"; {string.Join("; ", problems)}" : "");
    }
}
