using System.Collections.Concurrent;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Duende.IdentityModel.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pkce.Http;

namespace Pkce.Benchmarks;

/// <summary>
/// Discovery: a cached metadata lookup beside the floor (a dictionary lookup of the same document) and Duende's
/// discovery cache, all against one metadata endpoint on 127.0.0.1 that each fills once in setup.
/// </summary>
[MemoryDiagnoser]
public class DiscoveryBenchmarks
{
    private WebApplication _app = null!;
    private string _issuer = "";
    private MetadataCache _cache = null!;
    private HttpPort _port = null!;
    private readonly ConcurrentDictionary<string, ServerMetadata> _floor = new();
    private DiscoveryCache _duende = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Run(async context =>
        {
            var issuer = _issuer;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$"""
                {"issuer":"{{issuer}}","authorization_endpoint":"{{issuer}}/authorize","token_endpoint":"{{issuer}}/token",
                 "jwks_uri":"{{issuer}}/jwks","code_challenge_methods_supported":["S256"],"response_types_supported":["code"]}
                """);
        });
        await _app.StartAsync();
        _issuer = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        _port = HttpPort.Create();
        _cache = new MetadataCache(_port, TimeProvider.System, TimeSpan.FromHours(1), TimeSpan.FromSeconds(10));
        var metadata = (await _cache.Get(_issuer, default).ToEither()).IfLeft(e => throw new InvalidOperationException(e.ToString()));
        _floor[_issuer] = metadata;
        _duende = new DiscoveryCache(_issuer, new DiscoveryPolicy { RequireHttps = false, ValidateEndpoints = false });
        var document = await _duende.GetAsync();
        if (document.IsError) throw new InvalidOperationException(document.Error);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _port.Dispose();
        await _app.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "floor: ConcurrentDictionary lookup of the parsed document")]
    public object Floor() => _floor[_issuer];

    [Benchmark(Description = "Pkce: MetadataCache.Get (cached)")]
    public async Task<object> Cached() => await _cache.Get(_issuer, default).ToEither();

    [Benchmark(Description = "Duende.IdentityModel: DiscoveryCache.GetAsync (cached)")]
    public async Task<object> Duende() => await _duende.GetAsync();
}

/// <summary>
/// The refresh path: one refresh grant sent and parsed, beside the floor (HttpClient form POST + JsonDocument) and
/// Duende's RequestRefreshTokenAsync; and TokenSource.Refresh, which adds the store's lease and compare-and-swap.
/// The endpoint runs in a child process, so allocations are the client's.
/// </summary>
[MemoryDiagnoser]
public class RefreshBenchmarks
{
    private TokenEndpointServer _server = null!;
    private PkceConfig _config = null!;
    private HttpPort _port = null!;
    private HttpClient _http = null!;
    private TokenSource _source = null!;
    private static readonly TokenKey Key = new(UserKey.From("alice").IfLeft(_ => null!), "api", "api");

    [GlobalSetup]
    public async Task Setup()
    {
        _server = await TokenEndpointServer.StartChildProcessAsync();
        _config = Config.Validate(new PkceSettings
        {
            ClientId = "bench-client", RedirectUri = "http://127.0.0.1:8000/callback", AuthorizationEndpoint = new Uri(_server.Address, "authorize").AbsoluteUri,
            TokenEndpoint = _server.TokenEndpoint.AbsoluteUri,
        }).IfLeft(e => throw new InvalidOperationException(e.ToString()));
        _port = HttpPort.Create();
        _http = new HttpClient();
        var store = new InMemoryTokenStore();
        _source = new TokenSource(_config, Dependencies.System(_port), store.Ports);
        await _source.Save(Key, new TokenResponse("AT", "Bearer", LanguageExt.Prelude.None, LanguageExt.Prelude.Some("RT"), LanguageExt.Prelude.None,
            LanguageExt.Prelude.None, default, TokenEndpointServer.Body), default).ToEither();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _port.Dispose();
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "floor: HttpClient form POST + JsonDocument")]
    public async Task<string> Floor()
    {
        using var content = new FormUrlEncodedContent([new("grant_type", "refresh_token"), new("refresh_token", "RT"), new("client_id", "bench-client")]);
        using var response = await _http.PostAsync(_server.TokenEndpoint, content);
        await using var body = await response.Content.ReadAsStreamAsync();
        using var json = await JsonDocument.ParseAsync(body);
        return json.RootElement.GetProperty("access_token").GetString()!;
    }

    [Benchmark(Description = "Pkce: RefreshRequest.Send")]
    public async Task<string> Send() =>
        (await RefreshRequest.Send(_config, _port, "RT", LanguageExt.Prelude.None, default).ToEither()).Match(t => t.AccessToken, e => throw new InvalidOperationException(e.ToString()));

    [Benchmark(Description = "Pkce: TokenSource.Refresh (lease, send, compare-and-swap; in-memory store)")]
    public async Task<string> Source() =>
        (await _source.Refresh(Key, default).ToEither()).Match(t => t.AccessToken, e => throw new InvalidOperationException(e.ToString()));

    [Benchmark(Description = "Duende.IdentityModel: RequestRefreshTokenAsync")]
    public async Task<string> Duende() =>
        (await _http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = _server.TokenEndpoint.AbsoluteUri, ClientId = "bench-client", ClientCredentialStyle = ClientCredentialStyle.PostBody, RefreshToken = "RT",
        })).AccessToken!;
}

/// <summary>
/// The single flight: a burst of concurrent callers of an expired token, each burst answered by one refresh, beside
/// the baseline of one caller refreshing alone. The ratio is what the coalescing of N callers costs over one.
/// </summary>
[MemoryDiagnoser]
public class SingleFlightBenchmarks
{
    private TokenEndpointServer _server = null!;
    private HttpPort _port = null!;
    private TokenSource _source = null!;
    private ManualClock _clock = null!;
    private static readonly TokenKey Key = new(UserKey.From("alice").IfLeft(_ => null!), "api", "api");

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = DateTimeOffset.UtcNow.UtcTicks;
        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    [GlobalSetup]
    public async Task Setup()
    {
        _server = await TokenEndpointServer.StartChildProcessAsync();
        var config = Config.Validate(new PkceSettings
        {
            ClientId = "bench-client", RedirectUri = "http://127.0.0.1:8000/callback", AuthorizationEndpoint = new Uri(_server.Address, "authorize").AbsoluteUri,
            TokenEndpoint = _server.TokenEndpoint.AbsoluteUri,
        }).IfLeft(e => throw new InvalidOperationException(e.ToString()));
        _port = HttpPort.Create();
        _clock = new ManualClock();
        _source = new TokenSource(config, new Dependencies(Secrets.SystemRandom, _clock, _port), new InMemoryTokenStore(_clock).Ports);
        await _source.Save(Key, new TokenResponse("AT", "Bearer", LanguageExt.Prelude.Some(TimeSpan.FromHours(1)), LanguageExt.Prelude.Some("RT"),
            LanguageExt.Prelude.None, LanguageExt.Prelude.None, default, TokenEndpointServer.Body), default).ToEither();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _port.Dispose();
        await _server.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "TokenSource.Get: one caller of an expired token")]
    public Task<int> One() => BurstOf(1);

    [Benchmark(Description = "TokenSource.Get: 100 concurrent callers of an expired token (one refresh)")]
    public Task<int> Hundred() => BurstOf(100);

    /// <summary>Every token the endpoint issues lives an hour: two hours on, it is expired and the burst must refresh.</summary>
    private async Task<int> BurstOf(int count)
    {
        _clock.Advance(TimeSpan.FromHours(2));
        var before = _source.Refreshes;
        var callers = new Task<LanguageExt.Either<PkceError, TokenSet>>[count];
        for (var i = 0; i < callers.Length; i++) callers[i] = _source.Get(Key, default).ToEither();
        await Task.WhenAll(callers);
        if (_source.Refreshes != before + 1) throw new InvalidOperationException($"{_source.Refreshes - before} refreshes for one burst");
        return callers.Length;
    }
}
