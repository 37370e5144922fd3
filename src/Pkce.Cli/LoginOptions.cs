using System.Text;

namespace Pkce.Cli;

/// <summary>The options of <c>pkce login</c>, as given. Prints without the client secret.</summary>
public sealed record LoginOptions
{
#pragma warning disable CS1591 // Each property is the option of the same name; Commands.cs documents them.
    public string? Authority { get; init; }
    public string AuthorizePath { get; init; } = "authorize";
    public string TokenPath { get; init; } = "token";
    public string? AuthorizationEndpoint { get; init; }
    public string? TokenEndpoint { get; init; }
    public string? ClientId { get; init; }
    public string? ClientSecret { get; init; }
    public string? ClientAuth { get; init; }
    public string? Scope { get; init; }
    public string? Issuer { get; init; }
    public string? RedirectUri { get; init; }
    public int TimeoutSeconds { get; init; } = 300;
    public bool NoBrowser { get; init; }
    public string Store { get; init; } = "memory";
    public string? Profile { get; init; }
    public string? TokenStore { get; init; }
    public bool Dpop { get; init; }
    public string? DpopAlgorithm { get; init; }
#pragma warning restore CS1591

    /// <summary>
    /// Whether the endpoints come from the server's metadata (RFC 8414): an issuer is given and no endpoint or
    /// authority is.
    /// </summary>
    public bool Discovers => Issuer is not null && Authority is null && AuthorizationEndpoint is null && TokenEndpoint is null;

    /// <summary>These options with a saved profile's filling those not given (the secret and per-run options are never saved).</summary>
    public LoginOptions Over(LoginOptions saved) => this with
    {
        Issuer = Issuer ?? saved.Issuer,
        // Endpoints given now replace every saved way of finding them.
        Authority = Authority ?? (HasServer ? null : saved.Authority),
        AuthorizationEndpoint = AuthorizationEndpoint ?? (HasServer ? null : saved.AuthorizationEndpoint),
        TokenEndpoint = TokenEndpoint ?? (HasServer ? null : saved.TokenEndpoint),
        AuthorizePath = HasServer ? AuthorizePath : saved.AuthorizePath,
        TokenPath = HasServer ? TokenPath : saved.TokenPath,
        ClientId = ClientId ?? saved.ClientId,
        ClientAuth = ClientAuth ?? saved.ClientAuth,
        Scope = Scope ?? saved.Scope,
        RedirectUri = RedirectUri ?? saved.RedirectUri,
    };

    private bool HasServer => Authority is not null || AuthorizationEndpoint is not null || TokenEndpoint is not null || Issuer is not null;

    /// <summary>The values of <c>--client-auth</c>.</summary>
    public static readonly IReadOnlyDictionary<string, ClientAuthentication> Methods = new Dictionary<string, ClientAuthentication>
    {
        ["none"] = ClientAuthentication.None,
        ["basic"] = ClientAuthentication.ClientSecretBasic,
        ["post"] = ClientAuthentication.ClientSecretPost,
    };

    /// <summary>The longest wait for a callback that <c>--timeout</c> accepts: a day.</summary>
    public const int MaxTimeoutSeconds = 86_400;

    /// <summary>RFC 8252 §7.3: the loopback IP literal, a port chosen at run time, a path of our own.</summary>
    public const string DefaultRedirectUri = "http://127.0.0.1:0/callback";

    /// <summary>The redirect URI to listen on, or why it cannot be used.</summary>
    public (Uri? Uri, string? Problem) Redirect()
    {
        var text = RedirectUri ?? DefaultRedirectUri;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != "http")
            return (null, $"--redirect-uri '{text}' must be an http URL on the loopback address");
        // RFC 8252 §8.3: "localhost" may resolve to ::1 or elsewhere; the listener binds 127.0.0.1 only.
        if (uri.Host != "127.0.0.1")
            return (null, $"--redirect-uri '{text}' must use the loopback IP literal 127.0.0.1 (RFC 8252 §7.3), not '{uri.Host}'");
        return (uri, null);
    }

    /// <summary>The library's settings for these options and the redirect URI actually bound.</summary>
    public (PkceSettings? Settings, string? Problem) Settings(Uri redirectUri)
    {
        if (ClientAuth is not null && !Methods.ContainsKey(ClientAuth))
            return (null, $"--client-auth '{ClientAuth}' is not one of {string.Join(", ", Methods.Keys)}");
        return (new PkceSettings
        {
            ClientId = ClientId,
            ClientSecret = ClientSecret,
            Authentication = ClientAuth is null ? null : Methods[ClientAuth],
            RedirectUri = redirectUri.AbsoluteUri,
            Scope = Scope,
            RootUrl = Authority,
            AuthorizationPath = AuthorizePath,
            TokenPath = TokenPath,
            AuthorizationEndpoint = AuthorizationEndpoint,
            TokenEndpoint = TokenEndpoint,
            ExpectedIssuer = Issuer,
            // RFC 9207 §2.4: with --issuer and endpoints given, the callback must carry iss; a callback without it is
            // refused. With discovery, the metadata's authorization_response_iss_parameter_supported decides.
            IssuerAlwaysSent = Issuer is not null && !Discovers,
        }, null);
    }

    // Records print every property; the secret must not be one of them.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Authority = {Authority}, AuthorizePath = {AuthorizePath}, TokenPath = {TokenPath}, ");
        builder.Append($"AuthorizationEndpoint = {AuthorizationEndpoint}, TokenEndpoint = {TokenEndpoint}, ClientId = {ClientId}, ");
        builder.Append($"ClientSecret = {(ClientSecret is null ? "" : Redaction.Mark)}, ClientAuth = {ClientAuth}, Scope = {Scope}, ");
        builder.Append($"Issuer = {Issuer}, RedirectUri = {RedirectUri}, TimeoutSeconds = {TimeoutSeconds}, NoBrowser = {NoBrowser}, Store = {Store}, Profile = {Profile}, TokenStore = {TokenStore}, ");
        builder.Append($"Dpop = {Dpop}, DpopAlgorithm = {DpopAlgorithm}");
        return true;
    }
}
