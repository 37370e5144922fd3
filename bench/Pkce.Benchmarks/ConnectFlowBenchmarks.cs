using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;

namespace Pkce.Benchmarks;

/// <summary>
/// Complete connect round trips through a web app served in memory (<see cref="ConnectApps"/>): ours through
/// <c>MapPkce</c> beside ASP.NET Core's own OAuth handler with <c>UsePkce</c>, both redeeming the code at the fixed
/// token endpoint in a child process. One flow is the browser's two requests (start → 302 with state and cookie;
/// callback with code, state and cookie → token request → tokens kept → 302 to "/"). <see cref="Concurrency"/>
/// workers, each its own signed-in user, run <see cref="FlowsPerInvoke"/> flows per invocation; the time reported
/// is per flow, so flows/s = 1 s / Mean. Allocations are the app's and the browser side's (the token endpoint's are
/// in its own process).
/// </summary>
[MemoryDiagnoser]
// 60 warm-up iterations (about 30 s), not five: these paths go through thousands of methods (LanguageExt, the ASP.NET
// Core pipeline) whose tier-up to optimized code went on for 15-50 s on the loaded machine (docs/benchmarks.md §11).
[WarmupCount(60)]
[IterationCount(10)]
public class ConnectFlowBenchmarks
{
    public const int FlowsPerInvoke = 64;

    [Params(1, 16)]
    public int Concurrency { get; set; }

    private static readonly string[] Users = [.. Enumerable.Range(0, 16).Select(i => $"user-{i}")];

    private TokenEndpointServer _tokens = null!;
    private WebApplication _pkce = null!;
    private WebApplication _oauth = null!;
    private HttpClient _pkceBrowser = null!;
    private HttpClient _oauthBrowser = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _tokens = await TokenEndpointServer.StartChildProcessAsync();
        _pkce = await ConnectApps.StartPkceAsync(_tokens);
        _oauth = await ConnectApps.StartOAuthAsync(_tokens);
        _pkceBrowser = _pkce.Browser();
        _oauthBrowser = _oauth.Browser();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _pkceBrowser.Dispose();
        _oauthBrowser.Dispose();
        await _pkce.DisposeAsync();
        await _oauth.DisposeAsync();
        await _tokens.DisposeAsync();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = FlowsPerInvoke, Description = "ASP.NET Core: AddOAuth, UsePkce, SaveTokens, cookie sign-in")]
    public Task OAuthHandler() =>
        Workers.RunAsync(FlowsPerInvoke, Concurrency, worker => ConnectRoundTrip.RunAsync(_oauthBrowser, ConnectApps.OAuthStart, ConnectApps.OAuthCallback, Users[worker]));

    [Benchmark(OperationsPerInvoke = FlowsPerInvoke, Description = "Pkce: MapPkce, in-memory stores, tokens encrypted")]
    public Task MapPkce() =>
        Workers.RunAsync(FlowsPerInvoke, Concurrency, worker => ConnectRoundTrip.RunAsync(_pkceBrowser, ConnectApps.PkceStart, ConnectApps.PkceCallback, Users[worker]));
}
