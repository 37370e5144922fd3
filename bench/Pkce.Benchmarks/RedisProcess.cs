using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Pkce.Benchmarks;

/// <summary>A throwaway redis-server on a free 127.0.0.1 port, persistence off (needs the redis-server program).</summary>
public sealed class RedisProcess : IAsyncDisposable
{
    private readonly Process _process;

    private RedisProcess(Process process, int port, ConnectionMultiplexer connection) => (_process, Port, Connection) = (process, port, connection);

    public int Port { get; }

    public ConnectionMultiplexer Connection { get; }

    public static async Task<RedisProcess> StartAsync()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var process = Process.Start(new ProcessStartInfo("redis-server",
            ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"])
        {
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("redis-server could not be started; install it (./test.sh does, or apt-get install redis-server)");
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new RedisProcess(process, port, await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port}"));
            }
            catch (RedisConnectionException) when (attempt < 100)
            {
                await Task.Delay(50);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
