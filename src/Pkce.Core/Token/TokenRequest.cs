using LanguageExt;
using Pkce.Http;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>The access token request (RFC 6749 §4.1.3 with RFC 7636 §4.5), built without I/O.</summary>
public static class TokenRequest
{
    /// <summary>What the token endpoint is called in messages.</summary>
    public const string EndpointName = "token endpoint";

    /// <summary>
    /// RFC 6749 §4.1.3: <c>grant_type=authorization_code</c>, <c>code</c>, <c>redirect_uri</c> ("REQUIRED, if the
    /// "redirect_uri" parameter was included in the authorization request ... their values MUST be identical"),
    /// and <c>client_id</c> "if the client is not authenticating with the authorization server"; RFC 7636 §4.5:
    /// <c>code_verifier</c>. Client credentials by <see cref="ClientConfig.Authentication"/> (RFC 6749 §2.3.1).
    /// Sent once through <see cref="HttpPort.Post"/> by <see cref="Token.Exchange(PkceConfig, Dependencies, VerifiedCallback, CancellationToken)"/>.
    /// </summary>
    public static Either<PkceError, FormPost> Build(PkceConfig config, VerifiedCallback callback) =>
        ClientCredentials.Post(config.Client, EndpointName, config.Server.TokenEndpoint, Seq(
            new QueryParameter(WireNames.GrantType, WireNames.AuthorizationCodeGrant),
            new QueryParameter(WireNames.Code, callback.Code.Value),
            new QueryParameter(WireNames.RedirectUri, callback.Pending.RedirectUri.OriginalString),
            new QueryParameter(WireNames.CodeVerifier, callback.Pending.Verifier.Value)));
}
