using System.Net;
using System.Net.Sockets;

namespace Pkce.Browser;

/// <summary>Loopback ports for servers whose port must be known before they start.</summary>
internal static class Ports
{
    /// <summary>A port on 127.0.0.1 that was free a moment ago.</summary>
    public static int Free()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
