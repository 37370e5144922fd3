using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pkce.AspNetCore;

namespace Pkce.Integration.AspNetCore;

/// <summary>
/// A real ASP.NET Core app on 127.0.0.1 with Pkce added from configuration: provider <c>local</c> against a local
/// authority, a test sign-in (the <c>X-User</c> header names the user), an API at <c>/fake-api/me</c> that asks the
/// authority whether the bearer token is active, and <c>/call</c>, which calls that API through the user API client.
/// Every log event at Trace is kept in <see cref="Logs"/>.
/// </summary>
public sealed class ConnectApp : IAsyncDisposable
{
    public const string UserHeader = "X-User";

    private readonly WebApplication _app;

    private ConnectApp(WebApplication app, Uri address, LocalAuthority.LocalAuthority authority, ConcurrentQueue<string> logs) =>
        (_app, Address, Authority, Logs) = (app, address, authority, logs);

    public Uri Address { get; }

    public LocalAuthority.LocalAuthority Authority { get; }

    public IServiceProvider Services => _app.Services;

    public ConcurrentQueue<string> Logs { get; }

    /// <summary>Bearer tokens the fake API received, in order.</summary>
    public ConcurrentQueue<string> ApiTokens { get; } = new();

    /// <summary>When set, the fake API answers 401 to the next request whatever its token.</summary>
    public int RefuseNextApiCalls;

    public static async Task<ConnectApp> StartAsync(LocalAuthority.LocalAuthority authority, int port, IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder, PkceBuilder>? configure = null, Uri? apiBase = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls($"http://127.0.0.1:{port}");
        var logs = new ConcurrentQueue<string>();
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddProvider(new CapturingLoggerProvider(logs));
        var values = new Dictionary<string, string?>
        {
            ["Pkce:Providers:local:ClientId"] = authority.Basic.ClientId,
            ["Pkce:Providers:local:ClientSecret"] = authority.Basic.ClientSecret,
            ["Pkce:Providers:local:RootUrl"] = authority.Issuer.ToString(),
            ["Pkce:Providers:local:AuthorizationPath"] = "connect/authorize",
            ["Pkce:Providers:local:TokenPath"] = "connect/token",
            ["Pkce:Providers:local:RevocationEndpoint"] = authority.RevocationEndpoint.ToString(),
            ["Pkce:Providers:local:RedirectUri"] = $"http://127.0.0.1:{port}/connect/local/callback",
            ["Pkce:Providers:local:Scope"] = "api offline_access",
            ["Pkce:Providers:local:ReturnPath"] = "/home",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        builder.Configuration.AddInMemoryCollection(values);
        builder.Services.AddAuthentication("Test").AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>("Test", null);
        builder.Services.AddAuthorization();
        builder.Services.AddHealthChecks().AddPkceStores();
        var pkce = builder.Services.AddPkce(builder.Configuration.GetSection("Pkce"));
        builder.Services.AddPkceUserApi("local", apiBase ?? new Uri($"http://127.0.0.1:{port}/fake-api/"));
        configure?.Invoke(builder, pkce);

        var app = builder.Build();
        var connectApp = new ConnectApp(app, new Uri($"http://127.0.0.1:{port}/"), authority, logs);
        app.UseAuthentication();
        app.MapPkce("/connect");
        app.MapHealthChecks("/health");
        app.MapGet("/home", () => "home");
        app.MapGet("/fake-api/me", async (HttpContext context) =>
        {
            var bearer = context.Request.Headers.Authorization.ToString();
            if (!bearer.StartsWith("Bearer ", StringComparison.Ordinal)) return Results.Unauthorized();
            var token = bearer["Bearer ".Length..];
            connectApp.ApiTokens.Enqueue(token);
            if (Interlocked.Exchange(ref connectApp.RefuseNextApiCalls, 0) > 0) return Results.Unauthorized();
            var introspection = await authority.IntrospectAsync(token);
            return introspection.Active ? Results.Json(new { sub = introspection.Subject }) : Results.Unauthorized();
        });
        app.MapGet("/call", async (HttpContext context, IHttpClientFactory clients) =>
        {
            try
            {
                using var response = await clients.CreateClient("local").GetAsync("me", context.RequestAborted);
                return Results.Text($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            catch (PkceNotConnectedException e)
            {
                return Results.Text($"not connected: {e.Code}");
            }
        });
        app.MapGet("/status", async (HttpContext context, PkceConnections connections) =>
            Results.Json(await connections.GetAsync(context, "local")));
        app.MapGet("/antiforgery", (HttpContext context, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery) =>
            Results.Text(antiforgery.GetAndStoreTokens(context).RequestToken));
        await app.StartAsync();
        return connectApp;
    }

    /// <summary>A browser of its own (cookies, no redirects followed) signed in as <paramref name="user"/>.</summary>
    public HttpClient Browser(string user, CookieContainer? cookies = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = cookies ?? new CookieContainer() })
        {
            BaseAddress = Address,
            Timeout = TimeSpan.FromSeconds(30),
        };
        client.DefaultRequestHeaders.Add(UserHeader, user);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Signs in whoever the <c>X-User</c> header names; nobody without it.</summary>
    private sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var user = Request.Headers[UserHeader].ToString();
            if (user.Length == 0) return Task.FromResult(AuthenticateResult.NoResult());
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user)], "Test");
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), "Test")));
        }
    }
}

/// <summary>Keeps every log line (category, level, event id, message, exception, structured values) and every scope, of every level.</summary>
public sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            lines.Enqueue($"{category} scope {Structured(state)}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{category} {logLevel} {eventId.Id} {formatter(state, exception)} {exception} {Structured(state)}");

        /// <summary>
        /// What a structured logger (JSON console, OpenTelemetry, Serilog) writes besides the message: every
        /// named value of the state, and the state itself.
        /// </summary>
        private static string Structured(object? state) => state is IEnumerable<KeyValuePair<string, object?>> values
            ? string.Join(" ", values.Select(value => $"{value.Key}={value.Value}"))
            : state?.ToString() ?? "";
    }
}
