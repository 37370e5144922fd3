using System.Net;
using System.Net.Sockets;

namespace Pkce.Integration;

/// <summary>Loopback ports for the tests' servers and listeners.</summary>
internal static class Ports
{
    /// <summary>A port on 127.0.0.1 that was free a moment ago.</summary>
    public static int Free()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Whether nothing listens on <paramref name="port"/> at 127.0.0.1 (it can be bound now).</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var probe = new TcpListener(IPAddress.Loopback, port);
            probe.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
