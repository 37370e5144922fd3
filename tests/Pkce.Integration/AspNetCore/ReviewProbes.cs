using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pkce.AspNetCore;
using Pkce.LocalAuthority;

namespace Pkce.Integration.AspNetCore;

/// <summary>
/// Review 13 probes of Pkce.AspNetCore: each test states what should hold; a failing one is a finding (see the
/// review report for the attack and its severity). All network targets are 127.0.0.1.
/// </summary>
public sealed class ReviewProbes
{
    private static async Task<(LocalAuthority.LocalAuthority Authority, int Port)> AuthorityAsync(params string[] extraRedirectPaths)
    {
        var port = Ports.Free();
        var uris = new List<string> { $"http://127.0.0.1:{port}/connect/local/callback" };
        uris.AddRange(extraRedirectPaths);
        return (await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions { RedirectUris = uris }), port);
    }

    private static async Task<string> AntiforgeryField(HttpClient browser) => await browser.GetStringAsync("antiforgery");

    private static Task<HttpResponseMessage> DisconnectAsync(HttpClient browser, string token) =>
        browser.PostAsync("connect/local/disconnect", new FormUrlEncodedContent([KeyValuePair.Create("__RequestVerificationToken", token)]));

    // ---- Finding: the DPoP key's token-store entry is an ordinary user's entry ----

    /// <summary>
    /// The provider's DPoP private key is kept in the token store under user "\0pkce-dpop-key", resource = provider
    /// name, scope "". An app user whose id is that string (the package never checks user ids), at a provider with
    /// no scope, is "connected": the user API client sends the PKCS#8 private key as a bearer token to the API.
    /// </summary>
    [Fact]
    public async Task A_user_whose_id_is_the_dpop_key_holder_never_gets_the_dpop_private_key_as_a_token()
    {
        var (authority, port) = await AuthorityAsync();
        await using var _ = authority;
        var settings = new Dictionary<string, string?>
        {
            ["Pkce:Providers:local:Scope"] = "",
            ["Pkce:Providers:local:UseDpop"] = "true",
            ["Pkce:Providers:local:UsePushedAuthorizationRequests"] = "false",
        };
        await using var app = await ConnectApp.StartAsync(authority, port, settings, (builder, _) =>
            builder.Services.PostConfigure<PkceAspNetCoreOptions>(options =>
            {
                var inner = options.UserId;
                // An app whose user ids can hold any character (e.g. an external IdP's "sub").
                options.UserId = context => inner(context) is "holder" ? "\0pkce-dpop-key" : inner(context);
            }));
        using var alice = app.Browser("alice");
        // Any user starting a connection makes the provider's DPoP key.
        using (var start = await alice.GetAsync("connect/local")) Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);

        using var holder = app.Browser("holder");
        var status = await holder.GetStringAsync("status");
        var call = await holder.GetStringAsync("call");
        Assert.DoesNotContain(app.ApiTokens, token => token.StartsWith("ES256:", StringComparison.Ordinal));
        Assert.Contains("\"connected\":false", status);
        Assert.Equal("not connected: login_required", call);
    }

    // ---- Finding: a provider-specific log level brings the authorization code back into the logs ----

    /// <summary>
    /// The request-line filter is a provider-less rule; any provider-specific rule (appsettings
    /// "Logging:Console:LogLevel:Default": "Information", Application Insights' ...) is more specific for that
    /// provider and wins, so "Request starting ... /callback?code=...&amp;state=..." is logged again.
    /// </summary>
    [Fact]
    public async Task A_provider_specific_default_log_level_does_not_bring_the_code_back_into_the_logs()
    {
        var (authority, port) = await AuthorityAsync();
        await using var _ = authority;
        await using var app = await ConnectApp.StartAsync(authority, port, null, (builder, _) =>
            builder.Logging.AddFilter<CapturingLoggerProvider>(null, LogLevel.Information));
        using var browser = app.Browser("alice");
        var callback = await ConnectFlow.AuthorizeAsync(browser, await ConnectFlow.StartAsync(browser));
        using var done = await browser.GetAsync(callback);
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        var code = System.Web.HttpUtility.ParseQueryString(callback.Query)["code"]!;
        var state = System.Web.HttpUtility.ParseQueryString(callback.Query)["state"]!;
        var logs = string.Join("\n", app.Logs);
        Assert.DoesNotContain(code, logs);
        Assert.DoesNotContain(state, logs);
    }

    // ---- Finding: disconnect needs the provider's metadata, so it cannot forget the tokens while the provider is down ----

    /// <summary>
    /// With an issuer (discovery), disconnect first needs the configuration, which needs the metadata: after a
    /// restart (or on another instance of a farm) while the provider is down, "Disconnect" answers 502 and the
    /// tokens stay stored and usable. The core promises a logout that "works offline too", and a static provider
    /// gets it (revocation failure is logged, the tokens are forgotten).
    /// </summary>
    [Fact]
    public async Task Disconnect_forgets_the_tokens_even_when_the_discovered_provider_is_down()
    {
        var (authority, port) = await AuthorityAsync();
        var other = Ports.Free();
        var path = Path.Combine(Path.GetTempPath(), $"pkce-review13-{Guid.NewGuid():N}.db");
        var keys = Directory.CreateTempSubdirectory("pkce-review13-keys-");
        void Farm(WebApplicationBuilder builder, PkceBuilder pkce)
        {
            pkce.UseSqlite(path);
            builder.Services.AddDataProtection().SetApplicationName("pkce-review13").PersistKeysToFileSystem(keys);
        }
        var settings = new Dictionary<string, string?>
        {
            ["Pkce:Providers:local:RootUrl"] = null,
            ["Pkce:Providers:local:RevocationEndpoint"] = null,
            ["Pkce:Providers:local:Issuer"] = authority.Issuer.ToString(),
        };
        try
        {
            await using (var first = await ConnectApp.StartAsync(authority, port, settings, Farm))
            {
                using var browser = first.Browser("alice");
                using var done = await ConnectFlow.ConnectAsync(browser);
                Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
                Assert.Contains("\"connected\":true", await browser.GetStringAsync("status"));
            }
            await authority.DisposeAsync();

            // The provider is down; the app restarts (or another instance serves the user).
            var restarted = new Dictionary<string, string?>(settings) { ["Pkce:Providers:local:RedirectUri"] = $"http://127.0.0.1:{other}/connect/local/callback" };
            await using var second = await ConnectApp.StartAsync(authority, other, restarted, Farm);
            using var again = second.Browser("alice");
            Assert.Contains("\"connected\":true", await again.GetStringAsync("status"));
            using var disconnect = await DisconnectAsync(again, await AntiforgeryField(again));
            Assert.True(disconnect.StatusCode == HttpStatusCode.Redirect, $"{(int)disconnect.StatusCode} {await disconnect.Content.ReadAsStringAsync()}");
            Assert.Contains("\"connected\":false", await again.GetStringAsync("status"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + "*")) File.Delete(file);
            keys.Delete(recursive: true);
        }
    }

    // ---- Finding: the binding cookie is not Secure behind a TLS-terminating proxy ----

    /// <summary>
    /// The cookie's Secure flag follows Request.IsHttps. Behind a reverse proxy that terminates TLS (without
    /// forwarded headers, the common default) the app sees http although the browser, the redirect URI and the
    /// callback are https: the binding cookie goes out without Secure. The redirect URI says where the callback
    /// arrives; with an https redirect URI the cookie can always be Secure.
    /// </summary>
    [Fact]
    public async Task The_binding_cookie_is_secure_when_the_redirect_uri_is_https()
    {
        var (authority, port) = await AuthorityAsync();
        await using var _ = authority;
        var settings = new Dictionary<string, string?>
        {
            ["Pkce:Providers:local:RedirectUri"] = $"https://127.0.0.1:{port}/connect/local/callback",
            ["Pkce:Providers:local:UsePushedAuthorizationRequests"] = "false",
        };
        await using var app = await ConnectApp.StartAsync(authority, port, settings);
        using var browser = app.Browser("alice");
        using var start = await browser.GetAsync("connect/local");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var cookie = Assert.Single(start.Headers.GetValues("Set-Cookie"));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    // ---- Finding: a return path that passes ValidateOnStart breaks every callback after the tokens are saved ----

    /// <summary>
    /// ReturnPath "/café" (or any non-ASCII path) passes validation, but Kestrel refuses a non-ASCII Location: every
    /// callback redeems the code, saves the tokens, then fails with internal_error (500).
    /// </summary>
    [Fact]
    public async Task A_return_path_that_validation_accepts_is_one_the_callback_can_redirect_to()
    {
        var (authority, port) = await AuthorityAsync();
        await using var _ = authority;
        ConnectApp app;
        try
        {
            app = await ConnectApp.StartAsync(authority, port, new Dictionary<string, string?> { ["Pkce:Providers:local:ReturnPath"] = "/café" });
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException)
        {
            return; // refused on start: fine
        }
        await using (app)
        {
            using var browser = app.Browser("alice");
            using var done = await ConnectFlow.ConnectAsync(browser);
            Assert.True(done.StatusCode == HttpStatusCode.Redirect, $"{(int)done.StatusCode} {await done.Content.ReadAsStringAsync()}");
        }
    }

    // ---- Finding: the start endpoint is unthrottled ----

    /// <summary>
    /// Every GET of the start endpoint by a signed-in user stores a pending authorization for the pending lifetime
    /// (10 minutes) and, with PAR, sends a pushed request to the provider with the app's client credentials. Nothing
    /// limits a user's pending connections: one account fills the app's memory (in-memory store) or Redis, and
    /// spends the app's rate limit at the provider.
    /// </summary>
    [Fact]
    public async Task One_user_cannot_keep_hundreds_of_pending_connections_or_pushed_requests()
    {
        var (authority, port) = await AuthorityAsync();
        await using var _ = authority;
        var pending = new InMemoryPendingStore();
        await using var app = await ConnectApp.StartAsync(authority, port, null, (_, pkce) =>
            pkce.UseStores(sp => new PkceStores(pending.Ports, new InMemoryTokenStore().Ports, "memory")));
        using var browser = app.Browser("mallory");
        for (var i = 0; i < 150; i++)
        {
            using var start = await browser.GetAsync("connect/local");
        }
        Assert.True(pending.PendingCount <= 100, $"{pending.PendingCount} pending connections of one user, {authority.PushedRequests} pushed requests");
    }

    // Connecting again replaces the stored tokens without revoking the replaced ones: deliberately (README, "In an
    // ASP.NET Core app"): servers that keep one grant per user and client (oidc-provider reuses the session's grant)
    // revoke the new tokens with the old refresh token.

    // ---- Finding: the public error page shows the store's internals ----

    /// <summary>
    /// A store failure is shown to the user (503) with the store's message: for Redis, StackExchange.Redis's first
    /// line, which names the command, the Redis endpoint (host and port of an internal server) and the client's state.
    /// The log is the place for it; the page should say "try again later".
    /// </summary>
    [Fact]
    public async Task A_store_failure_page_does_not_show_the_stores_internal_endpoint()
    {
        var (authority, port) = await AuthorityAsync();
        await using var _ = authority;
        var redisPort = Ports.Free();
        await using var app = await ConnectApp.StartAsync(authority, port, null,
            (_, pkce) => pkce.UseRedis($"127.0.0.1:{redisPort},connectTimeout=300,syncTimeout=300,asyncTimeout=300"));
        using var browser = app.Browser("alice");
        using var start = await browser.GetAsync("connect/local");
        var page = await start.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, start.StatusCode);
        Assert.DoesNotContain($"{redisPort}", page);
        Assert.DoesNotContain("Redis", page, StringComparison.OrdinalIgnoreCase);
    }

    // ---- Finding: settings that start the app and then fail every request ----

    /// <summary>A cookie prefix that is not a cookie-name token (here with a space) is accepted; every start then fails with internal_error.</summary>
    [Fact]
    public async Task A_cookie_prefix_that_cannot_name_a_cookie_is_refused_before_the_app_serves()
    {
        var (authority, port) = await AuthorityAsync();
        await using var _ = authority;
        ConnectApp app;
        try
        {
            app = await ConnectApp.StartAsync(authority, port, null, (builder, _) =>
                builder.Services.Configure<PkceAspNetCoreOptions>(options => options.CookiePrefix = "Pkce Connect "));
        }
        catch (Exception e) when (e is Microsoft.Extensions.Options.OptionsValidationException or InvalidOperationException or ArgumentException)
        {
            return;
        }
        await using (app)
        {
            using var browser = app.Browser("alice");
            using var start = await browser.GetAsync("connect/local");
            Assert.True(start.StatusCode == HttpStatusCode.Redirect, $"{(int)start.StatusCode} {await start.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>
    /// Provider names are compared ordinally, routes case-insensitively: "local" and "Local" both map GET
    /// /connect/local, and every request to either start endpoint is an AmbiguousMatchException (500).
    /// </summary>
    [Fact]
    public async Task Two_provider_names_that_differ_only_in_case_are_refused_before_the_app_serves()
    {
        var (authority, port) = await AuthorityAsync();
        await using var _ = authority;
        ConnectApp app;
        try
        {
            app = await ConnectApp.StartAsync(authority, port, null, (_, pkce) => pkce.AddProvider("Local", options =>
            {
                options.ClientId = authority.Public.ClientId;
                options.RootUrl = authority.Issuer.ToString();
                options.AuthorizationPath = "connect/authorize";
                options.TokenPath = "connect/token";
                options.RedirectUri = $"http://127.0.0.1:{port}/connect/Local/other-callback";
            }));
        }
        catch (Exception e) when (e is Microsoft.Extensions.Options.OptionsValidationException or InvalidOperationException or ArgumentException)
        {
            return;
        }
        await using (app)
        {
            using var browser = app.Browser("alice");
            using var start = await browser.GetAsync("connect/local");
            Assert.True(start.StatusCode == HttpStatusCode.Redirect, $"{(int)start.StatusCode}");
        }
    }

    /// <summary>
    /// MapPkce refuses a redirect path equal to the provider's own start or disconnect path, but not another
    /// provider's: provider "other" with redirect URI path /connect/local makes GET /connect/local ambiguous (500),
    /// so neither provider can be connected.
    /// </summary>
    [Fact]
    public async Task A_redirect_path_on_another_providers_start_endpoint_is_refused_before_the_app_serves()
    {
        var (authority, port) = await AuthorityAsync();
        await using var _ = authority;
        var settings = new Dictionary<string, string?>
        {
            ["Pkce:Providers:other:ClientId"] = "other-client",
            ["Pkce:Providers:other:RootUrl"] = authority.Issuer.ToString(),
            ["Pkce:Providers:other:RedirectUri"] = $"http://127.0.0.1:{port}/connect/local",
        };
        ConnectApp app;
        try
        {
            app = await ConnectApp.StartAsync(authority, port, settings);
        }
        catch (Exception e) when (e is Microsoft.Extensions.Options.OptionsValidationException or InvalidOperationException or ArgumentException)
        {
            return;
        }
        await using (app)
        {
            using var browser = app.Browser("alice");
            using var start = await browser.GetAsync("connect/local");
            Assert.True(start.StatusCode == HttpStatusCode.Redirect, $"{(int)start.StatusCode}");
        }
    }

    // ---- Hardening: a page on another site starts (and, with remembered consent, completes) a connection ----

    /// <summary>
    /// The start endpoint is a GET that any site can trigger with a top-level navigation (the app's Lax session
    /// cookie goes along): the signed-in user's browser is sent to the provider and, where consent is remembered
    /// (GitHub, a trusted GitLab app), straight back to the callback, which connects whatever provider account the
    /// browser is signed in to there and overwrites the user's tokens. Browsers say where a navigation came from
    /// (Sec-Fetch-Site); a cross-site start could be refused (or the start made a POST with the antiforgery token).
    /// </summary>
    [Fact]
    public async Task A_cross_site_navigation_does_not_start_a_connection()
    {
        var (authority, port) = await AuthorityAsync();
        await using var _ = authority;
        await using var app = await ConnectApp.StartAsync(authority, port);
        using var browser = app.Browser("alice");
        using var request = new HttpRequestMessage(HttpMethod.Get, "connect/local");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");
        request.Headers.Add("Sec-Fetch-Mode", "navigate");
        request.Headers.Add("Sec-Fetch-Dest", "document");
        using var start = await browser.SendAsync(request);
        Assert.NotEqual(HttpStatusCode.Redirect, start.StatusCode);
    }
}

/// <summary>Review 13 probes of things that held (they pass on the reviewed code).</summary>
public sealed class ReviewHeldProbes
{
    /// <summary>An API's redirect to another origin (GitLab sends downloads to object storage) is returned to the caller, not followed: the token does not go along.</summary>
    [Fact]
    public async Task An_api_redirect_to_another_origin_does_not_carry_the_token()
    {
        var port = Ports.Free();
        await using var authority = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions { RedirectUris = [$"http://127.0.0.1:{port}/connect/local/callback"] });
        await using var elsewhere = await TokenEndpointHost.StartAsync();
        elsewhere.Respond = context => context.Response.WriteAsync("moved here");
        await using var app = await ConnectApp.StartAsync(authority, port, null, (builder, _) =>
            builder.Services.AddSingleton<IStartupFilter>(new Redirecting("/fake-api/moved", new Uri(elsewhere.BaseAddress, "file"))));
        using var browser = app.Browser("alice");
        (await ConnectFlow.ConnectAsync(browser)).Dispose();
        var accessor = app.Services.GetRequiredService<IHttpContextAccessor>();
        accessor.HttpContext = new DefaultHttpContext { User = new(new System.Security.Claims.ClaimsIdentity(
            [new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, "alice")], "Test")) };
        var client = app.Services.GetRequiredService<IHttpClientFactory>().CreateClient("local");
        using var moved = await client.GetAsync("moved");
        Assert.Equal(HttpStatusCode.Redirect, moved.StatusCode);
        Assert.Empty(elsewhere.Received);
    }

    /// <summary>Two requests with one callback URL at once (double click, a racing tab): one token request, one success.</summary>
    [Fact]
    public async Task Two_callbacks_racing_for_one_state_redeem_the_code_once()
    {
        var port = Ports.Free();
        await using var authority = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions { RedirectUris = [$"http://127.0.0.1:{port}/connect/local/callback"] });
        authority.TokenDelay = TimeSpan.FromMilliseconds(300);
        await using var app = await ConnectApp.StartAsync(authority, port);
        using var browser = app.Browser("alice");
        var callback = await ConnectFlow.AuthorizeAsync(browser, await ConnectFlow.StartAsync(browser));
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => browser.GetAsync(callback)));
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Redirect);
        Assert.Equal(1, authority.TokenRequests);
        foreach (var answer in answers) answer.Dispose();
    }

    /// <summary>A disconnect while the API client's refresh is in flight: afterwards the user is disconnected and the renewed token is inactive.</summary>
    [Fact]
    public async Task A_disconnect_during_a_refresh_in_flight_leaves_nothing_active()
    {
        var port = Ports.Free();
        await using var authority = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions { RedirectUris = [$"http://127.0.0.1:{port}/connect/local/callback"] });
        await using var app = await ConnectApp.StartAsync(authority, port);
        using var browser = app.Browser("alice");
        (await ConnectFlow.ConnectAsync(browser)).Dispose();
        var antiforgery = await browser.GetStringAsync("antiforgery");
        authority.TokenDelay = TimeSpan.FromMilliseconds(800);
        app.RefuseNextApiCalls = 1;
        var call = browser.GetStringAsync("call");
        await Task.Delay(300);
        using var disconnect = await browser.PostAsync("connect/local/disconnect",
            new FormUrlEncodedContent([KeyValuePair.Create("__RequestVerificationToken", antiforgery)]));
        await call;
        Assert.Equal(HttpStatusCode.Redirect, disconnect.StatusCode);
        Assert.Contains("\"connected\":false", await browser.GetStringAsync("status"));
        var tokens = app.ApiTokens.ToArray();
        Assert.Equal(2, tokens.Length);
        // tokens[0] is the one the API refused; the refresh replaced it (the authority keeps discarded access tokens
        // active until they expire: that is the replaced-grant finding, not this race). The renewed one must be revoked.
        Assert.False((await authority.IntrospectAsync(tokens[1])).Active, "the token renewed during the disconnect is active");
        Assert.Equal(2, authority.TokenRequests);
    }

    /// <summary>The health check's answer to a browser is the status only (no backend, no store error).</summary>
    [Fact]
    public async Task The_health_endpoint_shows_no_store_detail()
    {
        var port = Ports.Free();
        await using var authority = await LocalAuthority.LocalAuthority.StartAsync();
        var redisPort = Ports.Free();
        await using var app = await ConnectApp.StartAsync(authority, port, null,
            (_, pkce) => pkce.UseRedis($"127.0.0.1:{redisPort},connectTimeout=300,syncTimeout=300,asyncTimeout=300"));
        using var anonymous = new HttpClient { BaseAddress = app.Address };
        using var health = await anonymous.GetAsync("health");
        Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync());
    }

    private sealed class Redirecting(string path, Uri target) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, inner) =>
            {
                if (context.Request.Path == path)
                {
                    context.Response.Redirect(target.ToString());
                    return;
                }
                await inner();
            });
            next(app);
        };
    }
}
