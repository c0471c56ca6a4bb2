using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ExcelMedical.DbRunbook.Testing.Support;

/// <summary>
/// A loopback TCP relay in front of a real server that records every byte the clients sent: what
/// an eavesdropper on the wire would see (to prove a password never crossed it in clear).
/// </summary>
public sealed class RecordingTcpProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _upstreamHost;
    private readonly int _upstreamPort;
    private readonly MemoryStream _sent = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;

    public RecordingTcpProxy(string upstreamHost, int upstreamPort)
    {
        _upstreamHost = upstreamHost;
        _upstreamPort = upstreamPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.Run(AcceptAsync);
    }

    public string Host { get; } = IPAddress.Loopback.ToString();

    public int Port { get; }

    /// <summary>Everything the clients sent so far, read as Latin-1 so no byte is lost.</summary>
    public string ClientBytes
    {
        get
        {
            lock (_sent)
            {
                return Encoding.Latin1.GetString(_sent.ToArray());
            }
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Stop();
        try
        {
            _accepting.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Stopping the listener ends the accept loop with an exception.
        }

        _stopping.Dispose();
        _sent.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await upstream.ConnectAsync(_upstreamHost, _upstreamPort, _stopping.Token);
                var fromClient = PumpAsync(client.GetStream(), upstream.GetStream(), record: true);
                var fromServer = PumpAsync(upstream.GetStream(), client.GetStream(), record: false);
                await Task.WhenAny(fromClient, fromServer);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Either side hung up.
            }
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool record)
    {
        var buffer = new byte[8192];
        int read;
        while ((read = await from.ReadAsync(buffer, _stopping.Token)) > 0)
        {
            if (record)
            {
                lock (_sent)
                {
                    _sent.Write(buffer, 0, read);
                }
            }

            await to.WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
        }
    }
}
