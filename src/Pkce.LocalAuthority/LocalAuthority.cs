using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Pkce.LocalAuthority;

/// <summary>
/// A development OAuth 2.0 authorization server on 127.0.0.1 (OpenIddict on Kestrel, SQLite in memory): PKCE
/// required with S256 only, an authorization endpoint that signs in a test user without any page (or denies, when
/// told to, or asks on a consent page, <see cref="LocalAuthorityOptions.RequireConsent"/>), token, introspection,
/// revocation and pushed authorization request endpoints, discovery, refresh tokens (rotated, no reuse leeway), a
/// protected demo API (<see cref="ApiEndpoint"/>), DPoP (RFC 9449) with its own demo API (<see cref="DpopApiEndpoint"/>),
/// and four registered clients. For tests, demos and benchmarks; never for production.
/// </summary>
public sealed class LocalAuthority : IAsyncDisposable
{
    /// <summary>The subject signed in when the authorization request has no <c>login_hint</c>.</summary>
    public const string DefaultSubject = "test-user";

    /// <summary>The client id of the resource server allowed to introspect every access token.</summary>
    public const string ResourceServerId = "pkce-resource";

    private const string ResourceServerSecret = "pkce-resource-development-secret";

    private readonly WebApplication _app;
    private readonly SqliteConnection _keepAlive;
    private readonly HttpClient _introspection = new();
    private int _tokenRequests;
    private int _pushedRequests;
    private int _apiRequests;
    private int _dpopApiRequests;
    private readonly bool _requireConsent;
    private readonly LocalAuthorityOptions _options;
    private readonly DpopNonces _dpopNonces;

    private LocalAuthority(WebApplication app, SqliteConnection keepAlive, LocalAuthorityOptions options)
    {
        _app = app;
        _options = options;
        _dpopNonces = app.Services.GetRequiredService<DpopNonces>();
        _keepAlive = keepAlive;
        _requireConsent = options.RequireConsent;
        DenyAuthorizations = options.DenyAuthorizations;
        Public = new LocalClient("pkce-public", null, LocalClientKind.Public, options.RedirectUris);
        Basic = new LocalClient("pkce-basic", "pkce-basic-development-secret", LocalClientKind.ConfidentialBasic, options.RedirectUris);
        Post = new LocalClient("pkce-post", "pkce-post-development-secret", LocalClientKind.ConfidentialPost, options.RedirectUris);
        Par = new LocalClient("pkce-par", "pkce-par-development-secret", LocalClientKind.PushedOnly, options.RedirectUris);
    }

    /// <summary>The confidential client (<c>client_secret_basic</c>) that may only push its authorization requests.</summary>
    public LocalClient Par { get; }

    /// <summary>The public client (no secret).</summary>
    public LocalClient Public { get; }

    /// <summary>The confidential client for <c>client_secret_basic</c>.</summary>
    public LocalClient Basic { get; }

    /// <summary>The confidential client for <c>client_secret_post</c>.</summary>
    public LocalClient Post { get; }

    /// <summary>The three clients.</summary>
    public IReadOnlyList<LocalClient> Clients => [Public, Basic, Post];

    /// <summary>The issuer identifier (also the base address), as sent in <c>iss</c>.</summary>
    public Uri Issuer { get; private set; } = null!;

    /// <summary>The authorization endpoint.</summary>
    public Uri AuthorizationEndpoint => new(Issuer, "connect/authorize");

    /// <summary>The token endpoint.</summary>
    public Uri TokenEndpoint => new(Issuer, "connect/token");

    /// <summary>The introspection endpoint (RFC 7662).</summary>
    public Uri IntrospectionEndpoint => new(Issuer, "connect/introspect");

    /// <summary>The revocation endpoint (RFC 7009).</summary>
    public Uri RevocationEndpoint => new(Issuer, "connect/revoke");

    /// <summary>The pushed authorization request endpoint (RFC 9126).</summary>
    public Uri PushedAuthorizationEndpoint => new(Issuer, "connect/par");

    /// <summary>How many requests reached the pushed authorization request endpoint.</summary>
    public int PushedRequests => Volatile.Read(ref _pushedRequests);

    /// <summary>
    /// The demo API, <c>GET</c> with <c>Authorization: Bearer</c> an access token of this authority: 200 and
    /// <c>{"sub", "client_id", "scope", "expires_at"}</c>, or 401 with <c>WWW-Authenticate: Bearer</c> for a missing,
    /// invalid, expired or revoked token.
    /// </summary>
    public Uri ApiEndpoint => new(Issuer, DemoApi.Path);

    /// <summary>How many requests reached <see cref="ApiEndpoint"/>, whatever their outcome.</summary>
    public int ApiRequests => Volatile.Read(ref _apiRequests);

    /// <summary>
    /// The DPoP demo API (RFC 9449 §7), <c>GET</c> with <c>Authorization: DPoP</c> a DPoP-bound access token of this
    /// authority and a <c>DPoP</c> proof for this request (with <c>ath</c>): 200 and
    /// <c>{"sub", "client_id", "scope", "expires_at", "jkt"}</c>, or 401 with <c>WWW-Authenticate: DPoP</c> and
    /// <c>error</c> <c>invalid_dpop_proof</c>, <c>use_dpop_nonce</c> (with a <c>DPoP-Nonce</c> header, when
    /// <see cref="LocalAuthorityOptions.RequireDpopNonceAtApi"/>) or <c>invalid_token</c>. <see cref="ApiEndpoint"/>
    /// refuses DPoP-bound tokens (§7.2).
    /// </summary>
    public Uri DpopApiEndpoint => new(Issuer, DpopApi.Path);

    /// <summary>How many requests reached <see cref="DpopApiEndpoint"/>, whatever their outcome.</summary>
    public int DpopApiRequests => Volatile.Read(ref _dpopApiRequests);

    /// <summary>
    /// Replaces the DPoP nonces of the token endpoint and of the DPoP API: proofs carrying the old ones are answered
    /// <c>use_dpop_nonce</c> with the new ones (RFC 9449 §8: "This same error code is used when supplying a new nonce
    /// value when there was a nonce mismatch").
    /// </summary>
    public void RotateDpopNonces()
    {
        _dpopNonces.AuthorizationServer.Rotate();
        _dpopNonces.Api.Rotate();
    }

    /// <summary>The discovery document.</summary>
    public Uri DiscoveryEndpoint => new(Issuer, ".well-known/openid-configuration");

    /// <summary>How many requests reached the token endpoint, whatever their outcome.</summary>
    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    /// <summary>
    /// When set, the authorization endpoint answers <c>access_denied</c> (before any consent page). Starts as
    /// <see cref="LocalAuthorityOptions.DenyAuthorizations"/>.
    /// </summary>
    public bool DenyAuthorizations { get; set; }

    /// <summary>When set, each token request waits this long before it is handled.</summary>
    public TimeSpan TokenDelay { get; set; }

    /// <summary>When set, the token endpoint answers 500 with an HTML page.</summary>
    public bool TokenEndpointFails { get; set; }

    /// <summary>
    /// Starts the authority on 127.0.0.1 and returns once it accepts requests. Configuration (an
    /// <c>appsettings.json</c> in the working directory, <c>Kestrel__Endpoints__...</c> or <c>ASPNETCORE_URLS</c> in the
    /// environment) cannot move it elsewhere; were it bound to any other address, it is stopped and
    /// <see cref="NotLoopbackException"/> is thrown.
    /// </summary>
    public static async Task<LocalAuthority> StartAsync(LocalAuthorityOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LocalAuthorityOptions();
        // A named in-memory database shared by every connection of this instance; this one keeps it alive.
        var connectionString = $"Data Source=pkce-authority-{Guid.NewGuid():N};Mode=Memory;Cache=Shared";
        var keepAlive = new SqliteConnection(connectionString);
        await keepAlive.OpenAsync(cancellationToken);

        // 127.0.0.1 alone, whatever appsettings.json or the environment say (see LoopbackKestrel).
        var builder = LoopbackKestrel.CreateBuilder(options.Port);
        builder.Logging.ClearProviders();
        builder.Services.AddDbContext<AuthorityDbContext>(db => db.UseSqlite(connectionString).UseOpenIddict());
        builder.Services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<AuthorityDbContext>())
            .AddServer(server =>
            {
                server.SetAuthorizationEndpointUris("connect/authorize")
                    .SetTokenEndpointUris("connect/token")
                    .SetIntrospectionEndpointUris("connect/introspect")
                    .SetRevocationEndpointUris("connect/revoke")
                    .SetPushedAuthorizationEndpointUris("connect/par");
                if (options.RequirePushedAuthorizationRequests) server.RequirePushedAuthorizationRequests();
                server.SetAccessTokenLifetime(options.AccessTokenLifetime);
                // Rolling refresh tokens (OpenIddict's default) with no reuse leeway: a redeemed refresh token is
                // refused at once, and its reuse revokes the grant, as a server with reuse detection does.
                server.SetRefreshTokenReuseLeeway(TimeSpan.Zero);
                server.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow().RequireProofKeyForCodeExchange();
                server.SetAuthorizationCodeLifetime(options.CodeLifetime);
                server.RegisterScopes([.. options.Scopes, Scopes.OpenId, Scopes.OfflineAccess]);
                server.AddSigningKey(DevelopmentKeys.Signing()).AddEncryptionKey(DevelopmentKeys.Encryption());
                // RFC 7636 §4.2: "plain" is for clients that cannot do S256; OpenIddict lists it by default.
                server.Configure(o => o.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain));
                // Plain http is safe here only because Kestrel listens on 127.0.0.1 alone (see LoopbackKestrel).
                server.UseAspNetCore().EnableAuthorizationEndpointPassthrough().DisableTransportSecurityRequirement();
                server.AddDpop();
            })
            .AddDemoApiValidation();
        if (options.RequireConsent) builder.Services.AddConsentServices();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new DpopProofValidator(TimeProvider.System, options.DpopProofWindow));
        builder.Services.AddSingleton(new DpopNonces(new DpopNonce(), new DpopNonce()));

        var app = builder.Build();
        var authority = new LocalAuthority(app, keepAlive, options);
        app.Use(authority.TokenEndpointFaults);
        app.UseAuthentication();
        // (Delegate): a handler of HttpContext alone would bind as a RequestDelegate and drop the IResult it returns.
        app.MapMethods("connect/authorize", [HttpMethods.Get, HttpMethods.Post], (Delegate)authority.Authorize);
        app.MapGet(DemoApi.Path, (Delegate)authority.Api);
        app.MapGet(DpopApi.Path, (Delegate)authority.DpopApiMe);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AuthorityDbContext>().Database.EnsureCreatedAsync(cancellationToken);
            var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            foreach (var client in authority.Clients.Append(authority.Par))
                await applications.CreateAsync(Registration(client, options), cancellationToken);
            await applications.CreateAsync(new OpenIddictApplicationDescriptor
            {
                ClientId = ResourceServerId,
                ClientSecret = ResourceServerSecret,
                ClientType = ClientTypes.Confidential,
                Permissions = { Permissions.Endpoints.Introspection },
            }, cancellationToken);
        }

        string address;
        try
        {
            address = await LoopbackKestrel.StartAsync(app, "the local authority", cancellationToken);
        }
        catch
        {
            await keepAlive.DisposeAsync();
            throw;
        }
        authority.Issuer = new Uri(address.TrimEnd('/') + "/");
        return authority;
    }

    private static OpenIddictApplicationDescriptor Registration(LocalClient client, LocalAuthorityOptions options)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = client.ClientId,
            ClientSecret = client.ClientSecret,
            ClientType = client.Kind == LocalClientKind.Public ? ClientTypes.Public : ClientTypes.Confidential,
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.Revocation,
                Permissions.Endpoints.PushedAuthorization,
                Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code,
                Permissions.Prefixes.Scope + Scopes.OfflineAccess,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        if (client.Kind == LocalClientKind.PushedOnly) descriptor.Requirements.Add(Requirements.Features.PushedAuthorizationRequests);
        foreach (var scope in options.Scopes) descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        foreach (var uri in client.RedirectUris) descriptor.RedirectUris.Add(new Uri(uri));
        return descriptor;
    }

    /// <summary>Counts token requests and applies the faults a test asked for.</summary>
    private async Task TokenEndpointFaults(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Path.Equals("/connect/par", StringComparison.Ordinal)) Interlocked.Increment(ref _pushedRequests);
        if (!context.Request.Path.Equals("/connect/token", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }
        Interlocked.Increment(ref _tokenRequests);
        if (TokenDelay > TimeSpan.Zero) await Task.Delay(TokenDelay, context.RequestAborted);
        if (TokenEndpointFails)
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync("<!DOCTYPE html><html><body><h1>500 Internal Server Error</h1></body></html>");
            return;
        }
        await next(context);
    }

    /// <summary>
    /// The authorization endpoint in passthrough mode: OpenIddict has validated the request (client, redirect URI,
    /// PKCE); this denies when told to, asks on the consent page when it is required, or signs in
    /// <c>login_hint</c> (or <see cref="DefaultSubject"/>) with the requested scopes.
    /// </summary>
    private async Task<IResult> Authorize(HttpContext context)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not an OpenID Connect request");
        if (DenyAuthorizations) return AuthorizationResults.Denied("The test user declined.");
        return _requireConsent ? await ConsentPage.Handle(context, request) : AuthorizationResults.SignIn(request);
    }

    /// <summary>Counts a request to the demo API and answers it.</summary>
    private Task<IResult> Api(HttpContext context)
    {
        Interlocked.Increment(ref _apiRequests);
        return DemoApi.Me(context);
    }

    /// <summary>Counts a request to the DPoP demo API and answers it.</summary>
    private Task<IResult> DpopApiMe(HttpContext context)
    {
        Interlocked.Increment(ref _dpopApiRequests);
        return DpopApi.Me(context, context.RequestServices.GetRequiredService<DpopProofValidator>(), _dpopNonces.Api,
            _options.RequireDpopNonceAtApi, context.RequestServices.GetRequiredService<OpenIddict.Validation.OpenIddictValidationService>());
    }

    /// <summary>Asks the introspection endpoint (RFC 7662) about a token, as the resource server.</summary>
    public async Task<Introspection> IntrospectAsync(string token, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, IntrospectionEndpoint)
        {
            Content = new FormUrlEncodedContent([KeyValuePair.Create("token", token)]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes($"{ResourceServerId}:{ResourceServerSecret}")));
        using var response = await _introspection.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var root = json.RootElement;
        string? Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var thumbprint = root.TryGetProperty("cnf", out var cnf) && cnf.ValueKind == JsonValueKind.Object
            && cnf.TryGetProperty("jkt", out var jkt) && jkt.ValueKind == JsonValueKind.String ? jkt.GetString() : null;
        return new Introspection(root.GetProperty("active").GetBoolean(), Text("client_id"), Text("sub"), Text("scope"), Text("token_type"), thumbprint);
    }

    /// <summary>Stops the server and drops its database.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _keepAlive.DisposeAsync();
        _introspection.Dispose();
    }
}

/// <summary>What the introspection endpoint said about a token.</summary>
/// <param name="Active">Whether the token is valid now.</param>
/// <param name="ClientId">The client it was issued to.</param>
/// <param name="Subject">The user it was issued for.</param>
/// <param name="Scope">Its scopes, space-separated.</param>
/// <param name="TokenType">Its <c>token_type</c>: <c>DPoP</c> for a DPoP-bound access token (RFC 9449 §6.2), or none.</param>
/// <param name="ConfirmationThumbprint">
/// Its <c>cnf.jkt</c> (RFC 9449 §6.2): the RFC 7638 thumbprint of the key it is bound to, or null for a bearer token.
/// </param>
public sealed record Introspection(bool Active, string? ClientId, string? Subject, string? Scope, string? TokenType, string? ConfirmationThumbprint);
