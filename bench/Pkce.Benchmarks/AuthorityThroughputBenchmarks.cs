using Pkce.Http;
using BenchmarkDotNet.Attributes;

using Pkce.LocalAuthority;

namespace Pkce.Benchmarks;

/// <summary>
/// The same complete flow against the real local authorization server (OpenIddict, SQLite in memory), with the
/// authorization redirect followed over HTTP: how much of a real flow is ours and how much the server's.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(3)]
[IterationCount(5)]
public class AuthorityThroughputBenchmarks
{
    public const int FlowsPerInvoke = 64;

    [Params(1, 16)]
    public int Concurrency { get; set; }

    private LocalAuthority.LocalAuthority _authority = null!;
    private PkceConfig _config = null!;
    private HttpPort _http = null!;
    private Dependencies _deps = null!;
    private HttpClient _browser = null!;
    private readonly InMemoryPendingStore _store = new();
    private readonly UserKey _user = UserKey.From("alice").IfLeft(_ => null!);

    [GlobalSetup]
    public async Task Setup()
    {
        _authority = await LocalAuthority.LocalAuthority.StartAsync();
        _config = Config.Validate(new PkceSettings
        {
            ClientId = _authority.Public.ClientId, RedirectUri = _authority.Public.RedirectUris[0], Scope = "api",
            AuthorizationEndpoint = _authority.AuthorizationEndpoint.AbsoluteUri, TokenEndpoint = _authority.TokenEndpoint.AbsoluteUri,
            ExpectedIssuer = _authority.Issuer.AbsoluteUri,
        }).IfLeft(e => throw new InvalidOperationException(e.ToString()));
        _http = HttpPort.Create();
        _deps = Dependencies.System(_http);
        _browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _http.Dispose();
        _browser.Dispose();
        await _authority.DisposeAsync();
    }

    private async Task OneFlow()
    {
        var started = await Flow.Start(_config, _deps, _store.Save, _user, default).ToEither();
        var url = started.Match(s => s.AuthorizationUrl, e => throw new InvalidOperationException(e.ToString()));
        using var redirect = await _browser.GetAsync(url);
        var token = await Flow.Complete(_config, _deps, _store.Take, _user, redirect.Headers.Location!.OriginalString, default).ToEither();
        token.IfLeft(e => throw new InvalidOperationException(e.ToString()));
    }

    [Benchmark(OperationsPerInvoke = FlowsPerInvoke, Description = "complete flow, local authority (OpenIddict)")]
    public Task Flows() => Workers.RunAsync(FlowsPerInvoke, Concurrency, OneFlow);
}
