using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pkce.LocalAuthority;

namespace Pkce.Integration.AspNetCore;

/// <summary>
/// MapPkce in a real app on 127.0.0.1 against the local authority, driven by HTTP clients playing browsers: each
/// refusal is checked to have sent no token request.
/// </summary>
public sealed class ConnectTests : IAsyncLifetime
{
    private readonly int _port = Ports.Free();
    private LocalAuthority.LocalAuthority _authority = null!;
    private ConnectApp _app = null!;

    public async Task InitializeAsync()
    {
        _authority = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions { RedirectUris = [$"http://127.0.0.1:{_port}/connect/local/callback"] });
        _app = await ConnectApp.StartAsync(_authority, _port);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _authority.DisposeAsync();
    }

    [Fact]
    public async Task A_signed_in_user_connects_and_the_api_client_calls_as_them()
    {
        using var browser = _app.Browser("alice");
        using var call = await browser.GetAsync("call");
        Assert.True(call.IsSuccessStatusCode, string.Join("\n", _app.Logs.Where(l => l.Contains("Exception"))));
        Assert.Equal("not connected: login_required", await call.Content.ReadAsStringAsync());
        using var done = await ConnectFlow.ConnectAsync(browser);
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal("/home", done.Headers.Location!.OriginalString);
        using var called = await browser.GetAsync("call");
        Assert.True(called.IsSuccessStatusCode, string.Join("\n", _app.Logs.Where(l => l.Contains("Exception"))));
        Assert.Equal("200 {\"sub\":\"test-user\"}", await called.Content.ReadAsStringAsync());
        using var status = await browser.GetAsync("status");
        Assert.True(status.IsSuccessStatusCode, string.Join("\n", _app.Logs.Where(l => l.Contains(" Error "))));
        Assert.Contains("\"connected\":true", await status.Content.ReadAsStringAsync());
        Assert.Equal(1, _authority.TokenRequests);
        using var bob = _app.Browser("bob");
        Assert.Equal("not connected: login_required", await bob.GetStringAsync("call"));
    }

    [Fact]
    public async Task Nobody_signed_in_is_challenged_and_nothing_is_started()
    {
        using var anonymous = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = _app.Address };
        using var start = await anonymous.GetAsync("connect/local");
        Assert.Equal(HttpStatusCode.Unauthorized, start.StatusCode);
        Assert.Null(start.Headers.Location);
    }

    [Fact]
    public async Task The_binding_cookie_is_httponly_lax_and_scoped_to_the_callback()
    {
        using var browser = _app.Browser("alice");
        using var start = await browser.GetAsync("connect/local");
        var cookie = Assert.Single(start.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith(".Pkce.Connect.", cookie);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/connect/local/callback", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("no-store", start.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task A_callback_opened_in_another_browser_of_the_same_user_is_refused_without_a_token_request()
    {
        using var first = _app.Browser("alice");
        var callback = await ConnectFlow.AuthorizeAsync(first, await ConnectFlow.StartAsync(first));
        using var second = _app.Browser("alice");
        using var refused = await second.GetAsync(callback);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("wrong_user", await refused.Content.ReadAsStringAsync());
        Assert.Equal(0, _authority.TokenRequests);
        Assert.Equal("not connected: login_required", await first.GetStringAsync("call"));
    }

    [Fact]
    public async Task A_callback_opened_by_another_user_in_the_same_browser_is_refused_without_a_token_request()
    {
        var cookies = new CookieContainer();
        using var alice = _app.Browser("alice", cookies);
        var callback = await ConnectFlow.AuthorizeAsync(alice, await ConnectFlow.StartAsync(alice));
        using var mallory = _app.Browser("mallory", cookies);
        using var refused = await mallory.GetAsync(callback);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(0, _authority.TokenRequests);
    }

    [Fact]
    public async Task A_replayed_callback_is_refused_without_a_second_token_request()
    {
        using var browser = _app.Browser("alice");
        var callback = await ConnectFlow.AuthorizeAsync(browser, await ConnectFlow.StartAsync(browser));
        using var first = await browser.GetAsync(callback);
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        using var replay = await browser.GetAsync(callback);
        Assert.True(replay.StatusCode == HttpStatusCode.BadRequest, string.Join("\n", _app.Logs.Where(l => l.Contains("Error") || l.Contains("Pkce"))));
        Assert.Equal(1, _authority.TokenRequests);
    }

    [Fact]
    public async Task Two_connections_started_at_once_in_one_browser_both_complete()
    {
        using var browser = _app.Browser("alice");
        var starts = await Task.WhenAll(ConnectFlow.StartAsync(browser), ConnectFlow.StartAsync(browser));
        var callbacks = await Task.WhenAll(starts.Select(s => ConnectFlow.AuthorizeAsync(browser, s)));
        foreach (var callback in callbacks.Reverse())
        {
            using var done = await browser.GetAsync(callback);
            Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        }
        Assert.Equal(2, _authority.TokenRequests);
    }

    [Fact]
    public async Task A_denied_authorization_shows_the_error_page_with_server_text_encoded()
    {
        using var browser = _app.Browser("alice");
        var authorize = await ConnectFlow.StartAsync(browser);
        var state = System.Web.HttpUtility.ParseQueryString(authorize.Query)["state"]
            ?? System.Web.HttpUtility.ParseQueryString((await ConnectFlow.AuthorizeAsync(browser, authorize)).Query)["state"];
        using var denied = await browser.GetAsync($"connect/local/callback?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E%1B%5B2J&state={state}");
        var page = await denied.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, denied.StatusCode);
        Assert.Contains("authorization_denied", page);
        Assert.DoesNotContain("<script>", page);
        Assert.False(page.Contains('\u001b'), page);
        Assert.DoesNotContain(" at Pkce.", page);
        Assert.Equal("no-referrer", denied.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal(0, _authority.TokenRequests);
    }

    [Fact]
    public async Task Disconnect_needs_the_apps_antiforgery_token_and_then_revokes_at_the_server()
    {
        using var browser = _app.Browser("alice");
        (await ConnectFlow.ConnectAsync(browser)).Dispose();
        Assert.StartsWith("200", await browser.GetStringAsync("call"));
        var token = _app.ApiTokens.Last();

        using var forged = await browser.PostAsync("connect/local/disconnect", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.True((await _authority.IntrospectAsync(token)).Active);

        var antiforgery = await browser.GetStringAsync("antiforgery");
        using var disconnect = await browser.PostAsync("connect/local/disconnect",
            new FormUrlEncodedContent([KeyValuePair.Create("__RequestVerificationToken", antiforgery)]));
        Assert.Equal(HttpStatusCode.Redirect, disconnect.StatusCode);
        Assert.False((await _authority.IntrospectAsync(token)).Active);
        Assert.Equal("not connected: login_required", await browser.GetStringAsync("call"));
        Assert.Contains("\"connected\":false", await browser.GetStringAsync("status"));
    }

    [Fact]
    public async Task The_api_client_refreshes_once_after_a_401_and_retries()
    {
        using var browser = _app.Browser("alice");
        (await ConnectFlow.ConnectAsync(browser)).Dispose();
        _app.RefuseNextApiCalls = 1;
        Assert.StartsWith("200", await browser.GetStringAsync("call"));
        var tokens = _app.ApiTokens.ToArray();
        Assert.Equal(2, tokens.Length);
        Assert.NotEqual(tokens[0], tokens[1]);
        Assert.Equal(2, _authority.TokenRequests);
    }

    [Fact]
    public async Task The_health_check_reports_the_stores()
    {
        using var browser = _app.Browser("alice");
        using var health = await browser.GetAsync("health");
        Assert.True(health.StatusCode == HttpStatusCode.OK, string.Join("\n", _app.Logs.Where(l => l.Contains("Health") || l.Contains("Exception"))));
    }

    [Fact]
    public async Task No_log_event_at_any_level_holds_a_secret_of_the_connection()
    {
        using var browser = _app.Browser("alice");
        var authorize = await ConnectFlow.StartAsync(browser);
        var callback = await ConnectFlow.AuthorizeAsync(browser, authorize);
        (await browser.GetAsync(callback)).Dispose();
        await browser.GetStringAsync("call");
        var code = System.Web.HttpUtility.ParseQueryString(callback.Query)["code"]!;
        var secrets = new[] { code, _app.ApiTokens.Last(), _authority.Basic.ClientSecret! };
        var logs = string.Join("\n", _app.Logs);
        Assert.Contains("1002", logs);
        foreach (var secret in secrets) Assert.DoesNotContain(secret, logs);
    }
}
