using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Pkce.Http;

namespace Pkce.Integration;

/// <summary>Discovery against a metadata endpoint on 127.0.0.1 that answers whatever the test says.</summary>
public sealed class DiscoveryEndpointTests : IAsyncLifetime
{
    private TokenEndpointHost _server = null!;
    private readonly HttpPort _http = HttpPort.Create();

    public async Task InitializeAsync() => _server = await TokenEndpointHost.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private string Issuer => _server.BaseAddress.AbsoluteUri + "tenant";

    private string Document(string? issuer = null, string methods = """["S256"]""") => $$"""
        {"issuer":"{{issuer ?? Issuer}}","authorization_endpoint":"{{_server.BaseAddress}}authorize","token_endpoint":"{{_server.BaseAddress}}token",
         "code_challenge_methods_supported":{{methods}},"authorization_response_iss_parameter_supported":true}
        """;

    private Func<HttpContext, Task> Serve(string path, Func<string> body, TimeSpan? delay = null) => async context =>
    {
        if (delay is { } wait) await Task.Delay(wait);
        if (context.Request.Path != path)
        {
            context.Response.StatusCode = 404;
            return;
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body());
    };

    private MetadataCache Cache(TimeProvider? clock = null) => new(_http, clock ?? TimeProvider.System, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5));

    [Fact]
    public async Task The_rfc8414_location_has_the_well_known_suffix_before_the_issuer_path()
    {
        _server.Respond = Serve("/.well-known/oauth-authorization-server/tenant", () => Document());
        var metadata = await Expect.Right(Cache().Get(Issuer, default));
        Assert.Equal(Issuer, metadata.Issuer);
        Assert.Equal("/.well-known/oauth-authorization-server/tenant", Assert.Single(_server.Received).Path);
    }

    [Fact]
    public async Task Without_rfc8414_metadata_the_openid_configuration_is_used()
    {
        _server.Respond = Serve("/tenant/.well-known/openid-configuration", () => Document());
        var metadata = await Expect.Right(Cache().Get(Issuer, default));
        Assert.True(metadata.IssuerInAuthorizationResponse);
        Assert.Equal(["/.well-known/oauth-authorization-server/tenant", "/tenant/.well-known/openid-configuration"], _server.Received.Select(r => r.Path));
    }

    [Fact]
    public async Task A_document_for_another_issuer_is_refused_without_looking_further()
    {
        _server.Respond = Serve("/.well-known/oauth-authorization-server/tenant", () => Document(issuer: "https://evil.example/tenant"));
        var error = Assert.IsType<PkceError.InvalidMetadata>(await Expect.Left(Cache().Get(Issuer, default)));
        Assert.Contains("'https://evil.example/tenant' is not the issuer asked for", error.Message);
        Assert.Single(_server.Received);
    }

    [Fact]
    public async Task A_server_without_S256_is_refused()
    {
        _server.Respond = Serve("/.well-known/oauth-authorization-server/tenant", () => Document(methods: """["plain"]"""));
        var error = Assert.IsType<PkceError.InvalidMetadata>(await Expect.Left(Cache().Get(Issuer, default)));
        Assert.Contains("does not list S256", error.Message);
    }

    [Fact]
    public async Task A_thousand_concurrent_first_callers_cause_one_request()
    {
        _server.Respond = Serve("/.well-known/oauth-authorization-server/tenant", () => Document(), TimeSpan.FromMilliseconds(200));
        var cache = Cache();
        using var start = new ManualResetEventSlim();
        var callers = Enumerable.Range(0, 1000).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await cache.Get(Issuer, default).ToEither();
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(callers);
        Assert.All(results, r => Assert.True(r.IsRight));
        Assert.Single(_server.Received);
        Assert.Equal(1, cache.Fetches);
    }

    [Fact]
    public async Task A_failed_fetch_is_not_kept_and_a_fresh_document_is_kept_for_its_lifetime()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var cache = Cache(clock);
        _server.Respond = context => { context.Response.StatusCode = 503; return Task.CompletedTask; };
        Assert.IsType<PkceError.UnexpectedResponse>(await Expect.Left(cache.Get(Issuer, default)));
        _server.Respond = Serve("/.well-known/oauth-authorization-server/tenant", () => Document());
        await Expect.Right(cache.Get(Issuer, default));
        await Expect.Right(cache.Get(Issuer, default));
        Assert.Equal(2, cache.Fetches);
        clock.Advance(TimeSpan.FromMinutes(5));
        await Expect.Right(cache.Get(Issuer, default));
        Assert.Equal(3, cache.Fetches);
    }

    [Fact]
    public async Task A_redirect_of_the_metadata_request_is_not_followed()
    {
        _server.Respond = context =>
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = "https://evil.example/.well-known/oauth-authorization-server";
            return Task.CompletedTask;
        };
        Assert.IsType<PkceError.RedirectRefused>(await Expect.Left(Cache().Get(Issuer, default)));
        Assert.Single(_server.Received);
    }

    [Theory]
    [InlineData("http://as.example/")]
    [InlineData("https://as.example/?tenant=1")]
    [InlineData("not a url")]
    public async Task An_issuer_that_is_not_an_https_url_without_query_is_refused_before_any_request(string issuer)
    {
        Assert.IsType<PkceError.InvalidValue>(await Expect.Left(Cache().Get(issuer, default)));
        Assert.Empty(_server.Received);
    }
}
