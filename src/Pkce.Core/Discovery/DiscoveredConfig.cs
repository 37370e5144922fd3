using LanguageExt;

namespace Pkce;

/// <summary>A configuration driven by the server's own metadata (RFC 8414) instead of endpoints written by hand.</summary>
public static class DiscoveredConfig
{
    /// <summary>
    /// The caller's settings with what the metadata says: the endpoints (authorization, token, pushed
    /// authorization, revocation), the issuer the callback's <c>iss</c> must equal, <c>iss</c> required when the
    /// server says it always sends it (RFC 9207 §2.4), pushed requests required when the server requires them
    /// (RFC 9126 §5), and, when the settings name no client authentication, one the server supports
    /// (<c>token_endpoint_auth_methods_supported</c>): <c>none</c> without a secret, Basic with one if listed, else
    /// the form body. Then validated like any settings.
    /// </summary>
    public static Either<PkceError, PkceConfig> From(PkceSettings settings, ServerMetadata metadata) =>
        Config.Validate(settings with
        {
            RootUrl = null,
            AuthorizationEndpoint = metadata.AuthorizationEndpoint.OriginalString,
            TokenEndpoint = metadata.TokenEndpoint.OriginalString,
            PushedAuthorizationRequestEndpoint = metadata.PushedAuthorizationRequestEndpoint.Map(u => u.OriginalString).IfNoneUnsafe(settings.PushedAuthorizationRequestEndpoint),
            RequirePushedAuthorizationRequests = settings.RequirePushedAuthorizationRequests || metadata.RequirePushedAuthorizationRequests,
            RevocationEndpoint = metadata.RevocationEndpoint.Map(u => u.OriginalString).IfNoneUnsafe(settings.RevocationEndpoint),
            ExpectedIssuer = metadata.Issuer,
            IssuerAlwaysSent = settings.IssuerAlwaysSent || metadata.IssuerInAuthorizationResponse,
            Authentication = settings.Authentication ?? AuthenticationFor(settings.ClientSecret, metadata.TokenEndpointAuthMethods),
        });

    /// <summary>Fetches (or takes from <paramref name="cache"/>) the metadata of <paramref name="issuer"/>, then <see cref="From"/>.</summary>
    public static EitherAsync<PkceError, PkceConfig> Discover(PkceSettings settings, MetadataCache cache, string issuer, CancellationToken cancellationToken) =>
        from metadata in cache.Get(issuer, cancellationToken)
        from config in From(settings, metadata).ToAsync()
        select config;

    private static ClientAuthentication AuthenticationFor(string? secret, Seq<string> supported) =>
        string.IsNullOrEmpty(secret) ? ClientAuthentication.None
        : supported.Exists(m => m == "client_secret_basic") ? ClientAuthentication.ClientSecretBasic
        : supported.Exists(m => m == "client_secret_post") ? ClientAuthentication.ClientSecretPost
        : ClientAuthentication.ClientSecretBasic;
}
