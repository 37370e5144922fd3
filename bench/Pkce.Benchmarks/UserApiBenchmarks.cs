using System.Net;
using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Pkce.Benchmarks;

/// <summary>
/// The per-request cost of the user API handler: a client from <c>AddPkceUserApi</c> (the user's token already
/// stored and fresh, so it is loaded, decrypted and attached, never refreshed) calling a trivial endpoint, beside a
/// plain <see cref="HttpClient"/> with a fixed Authorization header, and a factory-made client with the same fixed
/// header (the factory's own logging handlers, which the user API client also has). All three call the same app in
/// memory, so the differences are the handlers'. Each call first makes the benchmark's stand-in for an incoming
/// request the current one, as ASP.NET Core does before a page calls the API. One more row, for attribution: what one
/// Data Protection decryption of a stored token costs with the app's keys (the handler does two per call, the access
/// and the refresh token).
/// </summary>
[MemoryDiagnoser]
// 40 warm-up iterations (about 20 s), not five: these paths go through thousands of methods (LanguageExt, the ASP.NET
// Core pipeline) whose tier-up to optimized code went on for 15-50 s on the loaded machine (docs/benchmarks.md §11).
[WarmupCount(40)]
[IterationCount(10)]
public class UserApiBenchmarks
{
    private const string FactoryClient = "bench-fixed-header";

    private TokenEndpointServer _tokens = null!;
    private WebApplication _app = null!;
    private HttpClient _plain = null!;
    private HttpClient _factory = null!;
    private HttpClient _user = null!;
    private IHttpContextAccessor _accessor = null!;
    private readonly HttpContext _request = new DefaultHttpContext { User = SignedInUser.Principal("alice") };
    private IDataProtector _protector = null!;
    private string _sealed = "";

    [GlobalSetup]
    public async Task Setup()
    {
        _tokens = await TokenEndpointServer.StartChildProcessAsync();
        _app = await ConnectApps.StartPkceAsync(_tokens, services =>
        {
            services.AddPkceUserApi(ConnectApps.Provider, ConnectApps.BaseAddress).ConfigurePrimaryHttpMessageHandler(InMemory);
            services.AddHttpClient(FactoryClient, client =>
            {
                client.BaseAddress = ConnectApps.BaseAddress;
                client.DefaultRequestHeaders.Authorization = FixedHeader;
            }).ConfigurePrimaryHttpMessageHandler(InMemory);
        });
        // Alice connects once: her tokens (valid for an hour) are stored, encrypted.
        using (var browser = _app.Browser())
            await ConnectRoundTrip.RunAsync(browser, ConnectApps.PkceStart, ConnectApps.PkceCallback, "alice");
        _plain = new HttpClient(_app.Server().CreateHandler()) { BaseAddress = ConnectApps.BaseAddress };
        _plain.DefaultRequestHeaders.Authorization = FixedHeader;
        var clients = _app.Services.GetRequiredService<IHttpClientFactory>();
        _factory = clients.CreateClient(FactoryClient);
        _user = clients.CreateClient(ConnectApps.Provider);
        _accessor = _app.Services.GetRequiredService<IHttpContextAccessor>();
        // As the package's token store does: a protector per token key, under the package's purpose.
        var key = new TokenKey(UserKey.From("alice").IfLeft(_ => throw new InvalidOperationException()), ConnectApps.Provider, "api");
        _protector = _app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Pkce.AspNetCore.Tokens.v1", key.Id);
        _sealed = _protector.Protect("2YotnFZFEjr1zCsicMWpAA");
    }

    private static readonly AuthenticationHeaderValue FixedHeader = new("Bearer", "2YotnFZFEjr1zCsicMWpAA");

    private static HttpMessageHandler InMemory(IServiceProvider services) => ((TestServer)services.GetRequiredService<IServer>()).CreateHandler();

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _plain.Dispose();
        _factory.Dispose();
        _user.Dispose();
        await _app.DisposeAsync();
        await _tokens.DisposeAsync();
    }

    private async Task<HttpStatusCode> Call(HttpClient client)
    {
        _accessor.HttpContext = _request;
        using var response = await client.GetAsync(ConnectApps.ApiPath);
        return response.StatusCode == HttpStatusCode.OK ? response.StatusCode : throw new InvalidOperationException($"the API answered {(int)response.StatusCode}");
    }

    [Benchmark(Baseline = true, Description = "plain HttpClient, fixed Authorization header")]
    public Task<HttpStatusCode> Plain() => Call(_plain);

    [Benchmark(Description = "IHttpClientFactory client, fixed Authorization header")]
    public Task<HttpStatusCode> Factory() => Call(_factory);

    [Benchmark(Description = "Pkce: AddPkceUserApi client (stored token loaded, decrypted, attached)")]
    public Task<HttpStatusCode> UserApi() => Call(_user);

    [Benchmark(Description = "attribution: one Data Protection Unprotect of a stored token (no request)")]
    public string Unprotect() => _protector.Unprotect(_sealed);
}
