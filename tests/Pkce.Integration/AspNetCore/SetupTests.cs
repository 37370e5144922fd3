using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pkce.AspNetCore;
using Pkce.Integration.Stores;
using Pkce.LocalAuthority;

namespace Pkce.Integration.AspNetCore;

/// <summary>What an app gets from its settings and choices: validation on start, stores, the HTTP client's rules.</summary>
public sealed class SetupTests
{
    private static Dictionary<string, string?> Local(params (string Key, string? Value)[] values) =>
        values.ToDictionary(v => $"Pkce:Providers:local:{v.Key}", v => v.Value);

    [Fact]
    public async Task Bad_settings_stop_the_app_on_start_with_every_problem_listed()
    {
        await using var authority = await LocalAuthority.LocalAuthority.StartAsync();
        var settings = Local(("ClientId", ""), ("RedirectUri", "http://app.example/cb"), ("Authentication", "magic"), ("ReturnPath", "//evil.example/"));
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => ConnectApp.StartAsync(authority, Ports.Free(), settings));
        var message = failure.Message;
        Assert.Contains("client id is missing", message);
        Assert.Contains("uses http on a non-loopback host", message);
        Assert.Contains("'magic' is not basic, post or none", message);
        Assert.Contains("return path", message);
        Assert.True(failure.Failures.Count() >= 4, message);
    }

    [Fact]
    public async Task Provider_requests_never_follow_a_redirect_whatever_the_app_configures_for_every_client()
    {
        await using var elsewhere = await TokenEndpointHost.StartAsync();
        await using var token = await TokenEndpointHost.StartAsync();
        token.Respond = context =>
        {
            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            context.Response.Headers.Location = elsewhere.TokenEndpoint.ToString();
            return Task.CompletedTask;
        };
        await using var authority = await LocalAuthority.LocalAuthority.StartAsync();
        var sent = 0;
        // Every client of the app follows redirects and retries three times: not the provider's.
        await using var redirected = await ConnectApp.StartAsync(authority, Ports.Free(), Local(("RootUrl", token.BaseAddress.ToString()), ("AuthorizationPath", "authorize"),
            ("TokenPath", "token")), (builder, _) => builder.Services.ConfigureHttpClientDefaults(client => client
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = true })
                .AddHttpMessageHandler(() => new Retrying(() => Interlocked.Increment(ref sent)))));
        using var browser = redirected.Browser("alice");
        var authorize = await ConnectFlow.StartAsync(browser);
        var state = System.Web.HttpUtility.ParseQueryString(authorize.Query)["state"];
        using var callback = await browser.GetAsync($"connect/local/callback?code=some-code&state={state}");
        Assert.Equal(HttpStatusCode.BadGateway, callback.StatusCode);
        Assert.Contains("redirect_refused", await callback.Content.ReadAsStringAsync());
        Assert.Single(token.Received);
        Assert.Empty(elsewhere.Received);
        Assert.Equal(0, sent);
    }

    [Fact]
    public async Task Tokens_kept_in_sqlite_are_encrypted_and_do_not_decrypt_under_another_key()
    {
        var port = Ports.Free();
        var path = Path.Combine(Path.GetTempPath(), $"pkce-web-{Guid.NewGuid():N}.db");
        try
        {
            await using var authority = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions { RedirectUris = [$"http://127.0.0.1:{port}/connect/local/callback"] });
            await using var app = await ConnectApp.StartAsync(authority, port, null, (_, pkce) => pkce.UseSqlite(path));
            using var browser = app.Browser("alice");
            (await ConnectFlow.ConnectAsync(browser)).Dispose();
            Assert.StartsWith("200", await browser.GetStringAsync("call"));
            var accessToken = app.ApiTokens.Last();
            var bytes = await File.ReadAllBytesAsync(path);
            Assert.True(bytes.Length > 0);
            Assert.False(Encoding.UTF8.GetString(bytes).Contains(accessToken[..40], StringComparison.Ordinal), "the access token is in the file");

            // The same row read as another user's (ciphertext moved between keys) does not decrypt: that user is not connected.
            var stores = app.Services.GetRequiredService<PkceStores>();
            var alice = new TokenKey(UserKey.From("alice").IfLeft(_ => throw new InvalidOperationException()), "local", "api offline_access");
            var bob = new TokenKey(UserKey.From("bob").IfLeft(_ => throw new InvalidOperationException()), alice.Resource, alice.Scope);
            var row = await stores.Tokens.Load(alice, default).IfLeft(_ => throw new InvalidOperationException());
            Assert.True(await stores.Tokens.Swap(bob, 0, row, default).IfLeft(_ => throw new InvalidOperationException()));
            using var mallory = app.Browser("bob");
            Assert.Equal("not connected: login_required", await mallory.GetStringAsync("call"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + "*")) File.Delete(file);
        }
    }

    [Fact]
    public async Task The_user_api_client_refuses_to_send_the_token_to_another_origin()
    {
        var port = Ports.Free();
        await using var authority = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions { RedirectUris = [$"http://127.0.0.1:{port}/connect/local/callback"] });
        await using var elsewhere = await TokenEndpointHost.StartAsync();
        await using var app = await ConnectApp.StartAsync(authority, port, null, (builder, _) => { });
        using var browser = app.Browser("alice");
        (await ConnectFlow.ConnectAsync(browser)).Dispose();
        using var scope = app.Services.CreateScope();
        var accessor = app.Services.GetRequiredService<IHttpContextAccessor>();
        accessor.HttpContext = new DefaultHttpContext { User = new(new System.Security.Claims.ClaimsIdentity(
            [new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, "alice")], "Test")) };
        var client = app.Services.GetRequiredService<IHttpClientFactory>().CreateClient("local");
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetAsync(elsewhere.TokenEndpoint));
        Assert.Empty(elsewhere.Received);
        Assert.Equal("{\"sub\":\"test-user\"}", await client.GetStringAsync("me"));
    }

    [Fact]
    public async Task The_health_check_reports_an_unreachable_redis_as_unhealthy()
    {
        var port = Ports.Free();
        await using var authority = await LocalAuthority.LocalAuthority.StartAsync();
        await using var app = await ConnectApp.StartAsync(authority, port, null,
            (_, pkce) => pkce.UseRedis($"127.0.0.1:{Ports.Free()},connectTimeout=500,syncTimeout=500,asyncTimeout=500"));
        var report = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Contains("redis", report.Entries["pkce-stores"].Description);
    }

    [Fact]
    public async Task A_state_started_for_one_provider_is_refused_at_another_providers_callback()
    {
        var port = Ports.Free();
        await using var authority = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions { RedirectUris = [$"http://127.0.0.1:{port}/connect/local/callback"] });
        await using var other = await TokenEndpointHost.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Pkce:Providers:other:ClientId"] = "other-client",
            ["Pkce:Providers:other:RootUrl"] = other.BaseAddress.ToString(),
            ["Pkce:Providers:other:RedirectUri"] = $"http://127.0.0.1:{port}/connect/other/callback",
        };
        await using var app = await ConnectApp.StartAsync(authority, port, settings);
        using var browser = app.Browser("alice");
        var callback = await ConnectFlow.AuthorizeAsync(browser, await ConnectFlow.StartAsync(browser));
        using var mixedUp = await browser.GetAsync("connect/other/callback" + callback.Query);
        Assert.Equal(HttpStatusCode.BadRequest, mixedUp.StatusCode);
        Assert.Contains("wrong_user", await mixedUp.Content.ReadAsStringAsync());
        Assert.Empty(other.Received);
        Assert.Equal(0, authority.TokenRequests);
    }

    private sealed class Retrying(Action onSend) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpResponseMessage? last = null;
            for (var i = 0; i < 3; i++)
            {
                onSend();
                last = await base.SendAsync(request, cancellationToken);
            }
            return last!;
        }
    }
}
