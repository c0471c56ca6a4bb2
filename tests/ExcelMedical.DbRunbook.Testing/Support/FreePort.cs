using System.Net;
using System.Net.Sockets;

namespace ExcelMedical.DbRunbook.Testing.Support;

/// <summary>
/// Loopback TCP ports for fixtures. The operating system picks a port that is free right now;
/// another process may take it before the fixture binds it, so fixtures retry on a bind failure.
/// </summary>
public static class FreePort
{
    /// <summary>A port on 127.0.0.1 that nothing listens on at the moment of the call.</summary>
    public static int Next()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    /// <summary>
    /// A port on 127.0.0.1 with nothing listening, to simulate a server that is down: a client
    /// connecting to it gets "connection refused" straight away (no timeout to wait for).
    /// </summary>
    public static int Closed() => Next();
}
