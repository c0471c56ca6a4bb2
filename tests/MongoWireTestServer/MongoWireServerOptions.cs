using System.Net;

namespace ExcelMedical.DbRunbook.MongoWireTestServer;

/// <summary>How a <see cref="MongoWireServer"/> listens and what it reports about itself.</summary>
public sealed class MongoWireServerOptions
{
    /// <summary>Address to bind. Loopback by default: this is a test double, never a network service.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>Port to bind; 0 (the default) lets the OS pick a free one, read it back from <see cref="MongoWireServer.Port"/>.</summary>
    public int Port { get; init; }

    /// <summary>Clock for localTime, uptime, currentOp timings and the sleep command.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Version reported by buildInfo and serverStatus; must look like "6.0.x".</summary>
    public string Version { get; init; } = "6.0.20";

    /// <summary>How long disposal waits for connection tasks to finish after closing their sockets.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
