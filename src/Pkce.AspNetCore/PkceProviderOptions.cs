namespace Pkce.AspNetCore;

/// <summary>
/// One provider's settings, bound from configuration (<c>Pkce:Providers:NAME:ClientId</c>, ...) with the Options
/// pattern and validated when the app starts. Give either <see cref="Issuer"/> (the endpoints are discovered, RFC
/// 8414) or <see cref="RootUrl"/> / the endpoints themselves.
/// </summary>
public sealed class PkceProviderOptions
{
    /// <summary>The client identifier registered at the provider.</summary>
    public string? ClientId { get; set; }

    /// <summary>The client secret of a confidential client; absent for a public one. Keep it out of appsettings.json (user secrets, environment).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>How the secret is sent: <c>basic</c> (default with a secret) or <c>post</c>.</summary>
    public string? Authentication { get; set; }

    /// <summary>The issuer whose metadata gives the endpoints; with it, the endpoint settings below are not needed.</summary>
    public string? Issuer { get; set; }

    /// <summary>The provider's base URL, under which the authorization and token paths lie (the seed's <c>root_url</c>).</summary>
    public string? RootUrl { get; set; }

    /// <summary>The authorization path under <see cref="RootUrl"/>.</summary>
    public string AuthorizationPath { get; set; } = "oauth/authorize";

    /// <summary>The token path under <see cref="RootUrl"/>.</summary>
    public string TokenPath { get; set; } = "oauth/token";

    /// <summary>The revocation endpoint (RFC 7009), used on disconnect; without it, disconnect only forgets the tokens.</summary>
    public string? RevocationEndpoint { get; set; }

    /// <summary>The absolute callback URL registered at the provider; the callback endpoint is mapped at its path.</summary>
    public string? RedirectUri { get; set; }

    /// <summary>The scope to ask for (space-separated).</summary>
    public string? Scope { get; set; }

    /// <summary>Whether to push the authorization request (RFC 9126) when the provider offers it.</summary>
    public bool UsePushedAuthorizationRequests { get; set; } = true;

    /// <summary>Whether the provider always sends <c>iss</c> in its callbacks (RFC 9207), making it required.</summary>
    public bool IssuerAlwaysSent { get; set; }

    /// <summary>
    /// Whether the provider's tokens are bound to a DPoP key (RFC 9449): one key per provider for the app, made on
    /// first use and kept in the token store (encrypted like the tokens), so every instance of the app shares it.
    /// </summary>
    public bool UseDpop { get; set; }

    /// <summary>The DPoP key's algorithm: ES256 (default), RS256 or PS256.</summary>
    public string DpopAlgorithm { get; set; } = "ES256";

    /// <summary>Where the browser goes after connecting or disconnecting: a path of this app (never another site).</summary>
    public string ReturnPath { get; set; } = "/";

    /// <summary>How long a started connection may take before its callback is refused.</summary>
    public TimeSpan PendingLifetime { get; set; } = PkceSettings.DefaultPendingLifetime;

    /// <summary>How long one request to the provider may take.</summary>
    public TimeSpan Timeout { get; set; } = PkceSettings.DefaultTimeout;

    /// <summary>The client authentication named by <paramref name="value"/>; null for the default or an unknown name (which validation reports).</summary>
    internal static ClientAuthentication? AuthenticationOf(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "basic" or "client_secret_basic" => ClientAuthentication.ClientSecretBasic,
        "post" or "client_secret_post" => ClientAuthentication.ClientSecretPost,
        "none" => ClientAuthentication.None,
        _ => null,
    };

    /// <summary>The settings of the core, as given (endpoints from <see cref="Issuer"/> are added by discovery).</summary>
    internal PkceSettings Settings() => new()
    {
        ClientId = ClientId,
        ClientSecret = string.IsNullOrEmpty(ClientSecret) ? null : ClientSecret,
        Authentication = AuthenticationOf(Authentication),
        RootUrl = RootUrl,
        AuthorizationPath = AuthorizationPath,
        TokenPath = TokenPath,
        RevocationEndpoint = RevocationEndpoint,
        RedirectUri = RedirectUri,
        Scope = Scope,
        UsePushedAuthorizationRequests = UsePushedAuthorizationRequests,
        IssuerAlwaysSent = IssuerAlwaysSent,
        ExpectedIssuer = Issuer,
        PendingLifetime = PendingLifetime,
        Timeout = Timeout,
    };
}
