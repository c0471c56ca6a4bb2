using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ExcelMedical.DbRunbook.Testing.Support;

namespace ExcelMedical.DbRunbook.Testing.Slack;

/// <summary>
/// Stands in for Slack's incoming-webhook endpoint: a small HTTP/1.1 server on a free loopback port
/// that records every request and answers as <see cref="Mode"/> says. In-process and cheap: use one
/// per test class (IClassFixture&lt;SlackReceiver&gt;) or per test.
/// </summary>
/// <remarks>
/// Built on a plain socket rather than HttpListener because HttpListener cannot drop a connection
/// without answering: closing a request it holds sends an empty 200, which would turn
/// <see cref="SlackReceiverMode.Timeout"/> into a success when the receiver is disposed.
/// </remarks>
public sealed class SlackReceiver : IDisposable
{
    /// <summary>The path of <see cref="WebhookUrl"/>; its last segment plays the webhook's secret token.</summary>
    public const string WebhookPath = "/services/T000/B000/XXXXsecret";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private readonly ArrivalLog<ReceivedWebhook> _received = new();
    private readonly Task _accepting;
    private volatile SlackReceiverMode _mode = SlackReceiverMode.Ok;
    private int _disposed;

    public SlackReceiver()
    {
        // Port 0: the kernel picks a free port while binding, so there is no race to lose.
        _listener.Start();
        var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        BaseUrl = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>"http://127.0.0.1:port/"</summary>
    public Uri BaseUrl { get; }

    /// <summary>A webhook URL shaped like Slack's, pointing at this receiver.</summary>
    public Uri WebhookUrl => new(BaseUrl, WebhookPath);

    /// <summary>How requests arriving from now on are answered; can change between calls.</summary>
    public SlackReceiverMode Mode
    {
        get => _mode;
        set => _mode = value;
    }

    /// <summary>Every request since the start or the last <see cref="Clear"/>, oldest first, whatever the mode.</summary>
    public IReadOnlyList<ReceivedWebhook> Requests => _received.Snapshot();

    /// <summary>The first request received already or within <paramref name="timeout"/>.</summary>
    public Task<ReceivedWebhook> WaitForRequestAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitForRequestAsync(null, timeout, cancellationToken);

    /// <summary>
    /// The first request <paramref name="match"/> accepts, received already or within <paramref name="timeout"/>;
    /// throws <see cref="TimeoutException"/> listing what did arrive.
    /// </summary>
    public Task<ReceivedWebhook> WaitForRequestAsync(
        Func<ReceivedWebhook, bool>? match, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _received.WaitForAsync(match, timeout, Describe, cancellationToken);

    public void Clear() => _received.Clear();

    /// <summary>Stops listening and resets every open connection, including requests held in Timeout mode.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _listener.Stop();
        // Reset before cancelling: a cancelled connection task would close politely, and a held
        // request should fail like a dropped connection, not like an answer without a body.
        foreach (var socket in _connections.Keys)
        {
            Reset(socket);
        }

        _stopping.Cancel();

        Task.WaitAll([_accepting, .. _connections.Values], TimeSpan.FromSeconds(5));
        _stopping.Dispose();
    }

    private static string Describe(IReadOnlyList<ReceivedWebhook> received) =>
        $"received {received.Count} request(s): [{string.Join("; ", received)}]";

    /// <summary>Closes with a TCP reset: the client sees the connection fail, not an answer.</summary>
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(enable: true, seconds: 0);
            socket.Close();
        }
        catch (ObjectDisposedException)
        {
            // Already closed by its connection task.
        }
    }

    /// <summary>Closes after the answer has gone out, so a client that asked to close still reads it.</summary>
    private static void CloseGracefully(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
            // Reset by Dispose or by the client already.
        }

        socket.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _connections[socket] = Task.Run(() => ServeConnectionAsync(socket));
        }
    }

    private async Task ServeConnectionAsync(Socket socket)
    {
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var reader = new HttpWireReader(stream);
            // Keep-alive: HttpClient sends later requests over the same connection.
            while (await reader.ReadRequestAsync(_stopping.Token) is { } request)
            {
                _received.Add(request);
                if (!await AnswerAsync(stream, request))
                {
                    return;
                }
            }
        }
        catch (Exception error) when (error is IOException or SocketException or ObjectDisposedException
            or OperationCanceledException or InvalidDataException or FormatException)
        {
            // The client hung up, sent something this receiver does not speak, or the receiver was disposed.
        }
        finally
        {
            _connections.TryRemove(socket, out _);
            CloseGracefully(socket);
        }
    }

    /// <summary>Answers by <see cref="Mode"/>; false when the connection is to be closed afterwards.</summary>
    private async Task<bool> AnswerAsync(NetworkStream stream, ReceivedWebhook request)
    {
        switch (Mode)
        {
            case SlackReceiverMode.Ok:
                await WriteResponseAsync(stream, "200 OK", "ok");
                break;
            case SlackReceiverMode.ServerError:
                await WriteResponseAsync(stream, "500 Internal Server Error", "internal_error");
                break;
            default:
                // Never answer: the client's own timeout has to end the call; Dispose resets the connection.
                await Task.Delay(Timeout.Infinite, _stopping.Token);
                break;
        }

        return !(request.Headers.TryGetValue("Connection", out var connection)
            && connection.Equals("close", StringComparison.OrdinalIgnoreCase));
    }

    private async Task WriteResponseAsync(NetworkStream stream, string status, string body)
    {
        var content = Encoding.UTF8.GetBytes(body);
        var head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {content.Length.ToString(CultureInfo.InvariantCulture)}\r\n\r\n");
        await stream.WriteAsync(head, _stopping.Token);
        await stream.WriteAsync(content, _stopping.Token);
    }
}
