using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Pkce.AspNetCore;
using Pkce.LocalAuthority;

namespace Pkce.WebSample;

/// <summary>
/// Starts the sample: its cookie sign-in, the provider <c>gitlab</c> (GitLab when <c>Pkce:Providers:gitlab</c> is
/// configured, else <see cref="LocalAuthority"/> started in-process with a consent page), tokens in SQLite, and the
/// pages. Used by Program.cs and, in-process, by the browser tests.
/// </summary>
public sealed class WebSampleHost : IAsyncDisposable
{
    /// <summary>The provider's name: its settings are <c>Pkce:Providers:gitlab:*</c>, its endpoints under <c>/connect/gitlab</c>.</summary>
    public const string Provider = "gitlab";

    /// <summary>The test account's user name. It is a sample: the sign-in page shows the password too.</summary>
    public const string UserName = "alice";

    /// <summary>The test account's password.</summary>
    public const string Password = "wonderland";

    /// <summary>The path of the redirect URI (register <c>http://127.0.0.1:PORT</c> + this at the provider).</summary>
    public const string CallbackPath = "/connect/gitlab/callback";

    private readonly WebApplication _app;

    private WebSampleHost(WebApplication app, Uri baseUrl, LocalAuthority.LocalAuthority? authority) =>
        (_app, BaseUrl, Authority) = (app, baseUrl, authority);

    /// <summary>Where the sample listens: <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The local authority started in-process, or none when GitLab (or another provider) is configured.</summary>
    public LocalAuthority.LocalAuthority? Authority { get; }

    /// <summary>The app's services (the tests read the token store's state through <c>PkceConnections</c>).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts the sample with the configuration of <paramref name="args"/> (and appsettings.json, the environment);
    /// <paramref name="configure"/> may add to the builder before the app is built (the tests quiet its logs and
    /// watch its API calls). Returns once it accepts requests.
    /// </summary>
    public static async Task<WebSampleHost> StartAsync(string[] args, Action<WebApplicationBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(args);
        var settings = builder.Configuration.GetSection("Sample").Get<WebSampleSettings>() ?? new WebSampleSettings();
        // The redirect URI must name the port before the server listens; a port that was free a moment ago can be
        // taken by another program in between, and then the start fails with "address in use".
        var baseUrl = new Uri($"http://127.0.0.1:{(settings.Port == 0 ? FreePort() : settings.Port)}/");
        builder.WebHost.UseUrls(baseUrl.GetLeftPart(UriPartial.Authority));

        LocalAuthority.LocalAuthority? authority = null;
        Uri api;
        if (builder.Configuration.GetSection($"Pkce:Providers:{Provider}").Exists())
            api = new Uri(settings.ApiUrl);
        else
        {
            authority = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions
            {
                RedirectUris = [new Uri(baseUrl, CallbackPath).AbsoluteUri],
                AccessTokenLifetime = settings.AccessTokenLifetime,
                RequireConsent = true,
            }, cancellationToken);
            builder.Configuration.AddInMemoryCollection(LocalProvider(authority, baseUrl));
            api = authority.ApiEndpoint;
        }

        try
        {
            var data = Path.GetFullPath(settings.DataDirectory, builder.Environment.ContentRootPath);
            Directory.CreateDirectory(data);
            AddServices(builder.Services, builder.Configuration, data, api);
            configure?.Invoke(builder);
            var app = builder.Build();
            Pages.Map(app);
            // README:aspnetcore-endpoints
            app.UseAuthentication();
            app.MapPkce("/connect"); // GET /connect/gitlab, GET /connect/gitlab/callback, POST /connect/gitlab/disconnect
            app.MapHealthChecks("/health");
            // README:end
            await app.StartAsync(cancellationToken);
            return new WebSampleHost(app, baseUrl, authority);
        }
        catch
        {
            if (authority is not null) await authority.DisposeAsync();
            throw;
        }
    }

    /// <summary>The provider's settings for the local authority, as they would be written in appsettings.json.</summary>
    private static Dictionary<string, string?> LocalProvider(LocalAuthority.LocalAuthority authority, Uri baseUrl)
    {
        const string section = $"Pkce:Providers:{Provider}:";
        return new()
        {
            [section + "Issuer"] = authority.Issuer.AbsoluteUri,
            [section + "ClientId"] = authority.Public.ClientId,
            [section + "RedirectUri"] = new Uri(baseUrl, CallbackPath).AbsoluteUri,
            // offline_access: the authority issues a refresh token, so an expired access token is renewed silently.
            [section + "Scope"] = "api offline_access",
        };
    }

    private static void AddServices(IServiceCollection services, IConfiguration configuration, string data, Uri api)
    {
        // Cookies are per host, not per port: the local authority on another port of 127.0.0.1 shares this cookie
        // jar, so the sample's cookies have names of their own.
        services.AddAntiforgery(antiforgery => antiforgery.Cookie.Name = ".Pkce.WebSample.Antiforgery");
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(cookie =>
            {
                cookie.LoginPath = "/signin";
                cookie.Cookie.Name = ".Pkce.WebSample";
            });
        services.Configure<PkceAspNetCoreOptions>(options => options.ErrorPage = Pages.ErrorAsync);
        // README:aspnetcore-services
        // Data Protection keys on disk, so that the stored tokens stay readable after a restart.
        services.AddDataProtection().SetApplicationName("Pkce.WebSample")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(data, "keys")));
        // The providers from Pkce:Providers:NAME (ClientId, RedirectUri, Scope, ...); their users' tokens in SQLite, encrypted.
        services.AddPkce(configuration.GetSection("Pkce"))
            .UseSqlite(Path.Combine(data, "pkce.db"));
        // The HttpClient "gitlab": every request carries the signed-in user's access token, refreshed when needed.
        services.AddPkceUserApi("gitlab", api);
        services.AddHealthChecks().AddPkceStores();
        // README:end
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Waits until the app is asked to stop (Ctrl-C, SIGTERM).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops the app, then the local authority.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (Authority is not null) await Authority.DisposeAsync();
    }
}
