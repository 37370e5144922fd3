using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pkce.Benchmarks;

/// <summary>
/// The two web apps of the connect benchmarks, each served in memory by TestServer (requests go from the browser's
/// <see cref="HttpClient"/> to the app with no socket, so what is measured is the app, not the loopback stack):
/// ours with <c>MapPkce</c>, and ASP.NET Core's OAuth handler with <c>UsePkce</c>. Both have the same signed-in user
/// handler, Data Protection keys in memory, no logging, and the same token endpoint (a real one, on 127.0.0.1).
/// </summary>
internal static class ConnectApps
{
    /// <summary>The apps' address: https, so their cookies are Secure as they would be in production.</summary>
    public static readonly Uri BaseAddress = new("https://localhost/");

    public const string Provider = "bench";
    public const string PkceStart = "/connect/bench";
    public const string PkceCallback = "/connect/bench/callback";
    public const string OAuthScheme = "oauth";
    public const string OAuthStart = "/login/oauth";
    public const string OAuthCallback = "/signin-oauth";

    /// <summary>A trivial API in our app, for the user API client: 200 with a small JSON body when a bearer token came, else 401.</summary>
    public const string ApiPath = "/api/me";

    /// <summary>Our app: one provider whose token endpoint is <paramref name="tokens"/>'s; in-memory stores (the default).</summary>
    public static async Task<WebApplication> StartPkceAsync(TokenEndpointServer tokens, Action<IServiceCollection>? configure = null)
    {
        var builder = Builder();
        builder.Services.AddAuthentication(SignedInUser.Name).AddScheme<AuthenticationSchemeOptions, SignedInUser>(SignedInUser.Name, null);
        // One signed-in user per worker connects thousands of times: the per-user start limit (a guard against one
        // account filling the store) would stop the benchmark, and ASP.NET Core's handler has none.
        builder.Services.AddPkce(shared => shared.MaxStartsPerUser = int.MaxValue).AddProvider(Provider, options =>
        {
            options.ClientId = "bench-client";
            options.ClientSecret = "bench-secret";
            options.Authentication = "post";
            options.RootUrl = tokens.Address.AbsoluteUri;
            options.AuthorizationPath = "authorize";
            options.TokenPath = "token";
            options.RedirectUri = new Uri(BaseAddress, PkceCallback).AbsoluteUri;
            options.Scope = "api";
            options.ReturnPath = "/";
        });
        configure?.Invoke(builder.Services);
        var app = builder.Build();
        app.UseAuthentication();
        app.MapPkce("/connect");
        var api = "{\"id\":1,\"username\":\"alice\"}"u8.ToArray();
        app.MapGet(ApiPath, (HttpContext context) => context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal)
            ? Results.Bytes(api, "application/json")
            : Results.Unauthorized());
        await app.StartAsync();
        return app;
    }

    /// <summary>
    /// ASP.NET Core's own: <c>AddOAuth</c> with <c>UsePkce</c> and <c>SaveTokens</c> (the tokens go into the sign-in
    /// cookie, encrypted), a cookie sign-in scheme, and no user-information endpoint (so no call after the token
    /// request). The challenge is an endpoint that asks for the OAuth scheme with the return path "/".
    /// </summary>
    public static async Task<WebApplication> StartOAuthAsync(TokenEndpointServer tokens)
    {
        var builder = Builder();
        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = SignedInUser.Name;
                options.DefaultSignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            })
            .AddScheme<AuthenticationSchemeOptions, SignedInUser>(SignedInUser.Name, null)
            .AddCookie()
            .AddOAuth(OAuthScheme, options =>
            {
                options.ClientId = "bench-client";
                options.ClientSecret = "bench-secret";
                options.AuthorizationEndpoint = new Uri(tokens.Address, "authorize").AbsoluteUri;
                options.TokenEndpoint = tokens.TokenEndpoint.AbsoluteUri;
                options.CallbackPath = OAuthCallback;
                options.Scope.Add("api");
                options.UsePkce = true;
                options.SaveTokens = true;
            });
        var app = builder.Build();
        app.UseAuthentication();
        app.MapGet(OAuthStart, (HttpContext context) => context.ChallengeAsync(OAuthScheme, new AuthenticationProperties { RedirectUri = "/" }));
        await app.StartAsync();
        return app;
    }

    private static WebApplicationBuilder Builder()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseTestServer(options => options.BaseAddress = BaseAddress);
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        return builder;
    }

    /// <summary>The app's in-memory server.</summary>
    public static TestServer Server(this WebApplication app) => ((IHost)app).GetTestServer();

    /// <summary>An HTTP client to the app that, like a browser's first hop, neither follows redirects nor keeps cookies.</summary>
    public static HttpClient Browser(this WebApplication app) => app.Server().CreateClient();
}

/// <summary>
/// Signs every request in as one user: the one named by the <see cref="Header"/> header (one per benchmark worker),
/// else alice. The same in both apps, so it costs both the same.
/// </summary>
internal sealed class SignedInUser(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Name = "bench-user";
    public const string Header = "X-Bench-User";

    private static readonly ConcurrentDictionary<string, Task<AuthenticateResult>> Users = new(StringComparer.Ordinal);

    public static ClaimsPrincipal Principal(string id) => new(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, id)], Name));

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
        Users.GetOrAdd(Request.Headers[Header].ToString() is { Length: > 0 } id ? id : "alice",
            id => Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(Principal(id), Name))));
}

/// <summary>What a browser does in one connect round trip, the same against either app.</summary>
internal static class ConnectRoundTrip
{
    /// <summary>Any code: the fixed token endpoint accepts every code and verifier.</summary>
    private const string Code = "SplxlOBeZQQYbYS6WxSbIA";

    /// <summary>
    /// GET <paramref name="start"/> → 302 to the authorization endpoint (its state read from the Location, the cookies
    /// from Set-Cookie) → GET <paramref name="callback"/>?code=…&amp;state=… with those cookies → 302 to "/". Throws
    /// on any other answer, so a benchmark that stopped doing the round trip fails instead of measuring an error page.
    /// </summary>
    public static async Task RunAsync(HttpClient browser, string start, string callback, string user)
    {
        using var first = new HttpRequestMessage(HttpMethod.Get, start);
        first.Headers.Add(SignedInUser.Header, user);
        using var started = await browser.SendAsync(first);
        await Expect(started, HttpStatusCode.Found);
        var state = QueryValue(started.Headers.Location!.Query, "state");
        var cookies = string.Join("; ", started.Headers.GetValues("Set-Cookie").Select(c => c[..c.IndexOf(';')]));

        using var second = new HttpRequestMessage(HttpMethod.Get, $"{callback}?code={Code}&state={state}");
        second.Headers.Add(SignedInUser.Header, user);
        second.Headers.Add("Cookie", cookies);
        using var done = await browser.SendAsync(second);
        await Expect(done, HttpStatusCode.Found);
        if (done.Headers.Location?.OriginalString != "/")
            throw new InvalidOperationException($"{callback} redirected to {done.Headers.Location}, not to /");
    }

    private static async Task Expect(HttpResponseMessage response, HttpStatusCode status)
    {
        if (response.StatusCode != status)
            throw new InvalidOperationException($"{response.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode}, not {(int)status}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The raw (still escaped) value of <paramref name="name"/> in <paramref name="query"/>.</summary>
    private static string QueryValue(string query, string name)
    {
        foreach (var pair in query.TrimStart('?').Split('&'))
            if (pair.Length > name.Length && pair[name.Length] == '=' && pair.StartsWith(name, StringComparison.Ordinal))
                return pair[(name.Length + 1)..];
        throw new InvalidOperationException($"no {name} in the authorization redirect");
    }
}
