using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Pkce.Integration.Stores;

/// <summary>
/// A real <c>redis-server</c> started for the tests on a free 127.0.0.1 port, persistence off, stopped afterwards.
/// If the program is missing the tests fail with instructions rather than being skipped.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private Process? _process;
    private readonly string[] _extraArguments = [];
    private readonly string? _directory;

    public RedisServer() { }

    private RedisServer(string[] extraArguments, string directory) => (_extraArguments, _directory) = (extraArguments, directory);

    /// <summary>
    /// A one-node Redis Cluster (<c>cluster-enabled yes</c>) holding all 16384 slots, ready for keyed commands; it
    /// answers CROSSSLOT to a command or script whose keys are in different slots, as every cluster node does.
    /// </summary>
    public static async Task<RedisServer> StartClusterNodeAsync()
    {
        var directory = Directory.CreateTempSubdirectory("pkce-redis-cluster-").FullName;
        var node = new RedisServer(
            ["--cluster-enabled", "yes", "--cluster-port", Ports.Free().ToString(), "--cluster-config-file", Path.Combine(directory, "nodes.conf"), "--dir", directory],
            directory);
        await node.InitializeAsync();
        await using var admin = await ConnectionMultiplexer.ConnectAsync(node.Configuration + ",allowAdmin=true");
        var database = admin.GetDatabase();
        await database.ExecuteAsync("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (((string)(await database.ExecuteAsync("CLUSTER", "INFO"))!).Contains("cluster_state:ok", StringComparison.Ordinal)) return node;
            await Task.Delay(50);
        }
        await node.DisposeAsync();
        throw new InvalidOperationException($"the Redis cluster node on 127.0.0.1:{node.Port} did not reach cluster_state:ok");
    }

    public int Port { get; } = Ports.Free();

    public string Configuration => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000,syncTimeout=2000,asyncTimeout=2000";

    public async Task InitializeAsync()
    {
        var program = FindOnPath("redis-server") ?? throw new InvalidOperationException(
            "redis-server was not found on PATH. The Redis store's tests need a real Redis 7: install the Debian package " +
            "with `apt-get install redis-server` (./test.sh does this when run as root), then run the tests again.");
        _process = Process.Start(new ProcessStartInfo(program,
            ["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning", .. _extraArguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                await using var probe = await ConnectionMultiplexer.ConnectAsync(Configuration);
                await probe.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException)
            {
                await Task.Delay(50);
            }
        }
        throw new InvalidOperationException($"redis-server did not answer on 127.0.0.1:{Port}");
    }

    /// <summary>Freezes the server (SIGSTOP): connections stay open, nothing answers. Its memory is kept.</summary>
    public void Pause() => Signal("STOP");

    /// <summary>Lets a paused server go on (SIGCONT).</summary>
    public void Resume() => Signal("CONT");

    private void Signal(string signal) => Process.Start("kill", [$"-{signal}", _process!.Id.ToString()])!.WaitForExit();

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            Resume();
            _process.Kill();
            _process.WaitForExit();
        }
        _process?.Dispose();
        if (_directory is not null) Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Concat(["/usr/bin", "/usr/local/bin", "/usr/sbin"])
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
