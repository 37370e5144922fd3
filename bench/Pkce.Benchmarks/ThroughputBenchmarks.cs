using Pkce.Http;
using BenchmarkDotNet.Attributes;

using LanguageExt;
using Pkce.Stores.Redis;
using Pkce.Stores.Sqlite;

namespace Pkce.Benchmarks;

/// <summary>
/// Complete flows (secrets → URL → save → callback → take → verify → exchange) against the fixed token endpoint,
/// run by <see cref="Concurrency"/> workers; the time reported is per flow, so flows/s = 1 s / Mean.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(5)]
[IterationCount(10)]
public class ThroughputBenchmarks
{
    public const int FlowsPerInvoke = 256;

    [Params(1, 16, 256)]
    public int Concurrency { get; set; }

    [Params("memory", "sqlite", "redis")]
    public string Store { get; set; } = "";

    private TokenEndpointServer _server = null!;
    private RedisProcess? _redis;
    private string? _directory;
    private PendingStore _store = null!;
    private PkceConfig _config = null!;
    private HttpPort _http = null!;
    private Dependencies _deps = null!;
    private readonly UserKey _user = UserKey.From("alice").IfLeft(_ => null!);

    [GlobalSetup]
    public async Task Setup()
    {
        _server = await TokenEndpointServer.StartChildProcessAsync();
        _config = Config.Validate(new PkceSettings
        {
            ClientId = "bench-client", RedirectUri = "http://127.0.0.1:8000/callback", Scope = "api",
            AuthorizationEndpoint = new Uri(_server.Address, "authorize").AbsoluteUri, TokenEndpoint = _server.TokenEndpoint.AbsoluteUri,
        }).IfLeft(e => throw new InvalidOperationException(e.ToString()));
        _http = HttpPort.Create();
        _deps = Dependencies.System(_http);
        switch (Store)
        {
            case "sqlite":
                _directory = Directory.CreateTempSubdirectory("pkce-bench-").FullName;
                _store = new SqlitePendingStore(Path.Combine(_directory, "pending.db")).Ports;
                break;
            case "redis":
                _redis = await RedisProcess.StartAsync();
                _store = new RedisPendingStore(_redis.Connection).Ports;
                break;
            default:
                _store = new InMemoryPendingStore().Ports;
                break;
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
        if (_directory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_directory, recursive: true);
        }
    }

    private async Task OneFlow()
    {
        var started = await Flow.Start(_config, _deps, _store.Save, _user, default).ToEither();
        var state = started.Match(s => s.Pending.State.Value, e => throw new InvalidOperationException(e.ToString()));
        var callback = $"http://127.0.0.1:8000/callback?code=SplxlOBeZQQYbYS6WxSbIA&state={state}";
        var token = await Flow.Complete(_config, _deps, _store.Take, _user, callback, default).ToEither();
        token.IfLeft(e => throw new InvalidOperationException(e.ToString()));
    }

    [Benchmark(OperationsPerInvoke = FlowsPerInvoke, Description = "complete flow, fixed token endpoint")]
    public Task Flows() => Workers.RunAsync(FlowsPerInvoke, Concurrency, OneFlow);
}

/// <summary>Runs a number of operations with a fixed number of concurrent workers.</summary>
internal static class Workers
{
    public static Task RunAsync(int operations, int concurrency, Func<Task> operation) => RunAsync(operations, concurrency, _ => operation());

    /// <summary>The same, telling each operation which worker (0 to <paramref name="concurrency"/> - 1) runs it.</summary>
    public static Task RunAsync(int operations, int concurrency, Func<int, Task> operation)
    {
        var next = -1;
        async Task Worker(int worker)
        {
            while (Interlocked.Increment(ref next) < operations) await operation(worker);
        }
        return Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(() => Worker(worker))));
    }
}
