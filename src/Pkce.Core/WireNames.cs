namespace Pkce;

/// <summary>
/// Parameter and member names as they appear on the wire (RFC 6749, RFC 7636, RFC 9207), in one place.
/// </summary>
public static class WireNames
{
#pragma warning disable CS1591 // The names document themselves.
    public const string ResponseType = "response_type";
    public const string ClientId = "client_id";
    public const string ClientSecret = "client_secret";
    public const string RedirectUri = "redirect_uri";
    public const string Scope = "scope";
    public const string State = "state";
    public const string CodeChallenge = "code_challenge";
    public const string CodeChallengeMethod = "code_challenge_method";
    public const string CodeVerifier = "code_verifier";
    public const string Code = "code";
    public const string GrantType = "grant_type";
    public const string AuthorizationCodeGrant = "authorization_code";
    public const string S256 = "S256";
    public const string Issuer = "iss";
    public const string Error = "error";
    public const string ErrorDescription = "error_description";
    public const string ErrorUri = "error_uri";
    public const string AccessToken = "access_token";
    public const string TokenType = "token_type";
    public const string Bearer = "Bearer";

    /// <summary>RFC 9449 §5: the <c>token_type</c> of a DPoP-bound access token.</summary>
    public const string Dpop = "DPoP";
    public const string ExpiresIn = "expires_in";
    public const string RefreshToken = "refresh_token";
    public const string IdToken = "id_token";
    public const string Request = "request";
    public const string RequestUri = "request_uri";
    public const string ResponseMode = "response_mode";
    public const string DpopJkt = "dpop_jkt";
#pragma warning restore CS1591

    /// <summary>
    /// Names a caller's extra authorization parameters may not use, compared case-insensitively (a server that
    /// reads names without regard to case must not see a second <c>STATE</c>): every parameter this library sets
    /// (RFC 6749 §4.1.1, RFC 7636 §4.3), those that change where or how the response is delivered or replace the
    /// whole request (<c>response_mode</c>; RFC 9101 <c>request</c>; RFC 9126 <c>request_uri</c>), the DPoP key
    /// binding the library sets itself (RFC 9449 §10 <c>dpop_jkt</c>), and secrets that never belong in a URL.
    /// </summary>
    public static readonly IReadOnlySet<string> ReservedAuthorizationParameters = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ResponseType, ClientId, RedirectUri, Scope, State, CodeChallenge, CodeChallengeMethod,
        ResponseMode, Request, RequestUri, DpopJkt, ClientSecret, CodeVerifier, Code,
    };
}
