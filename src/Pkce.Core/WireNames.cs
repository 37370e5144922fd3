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
    public const string ExpiresIn = "expires_in";
    public const string RefreshToken = "refresh_token";
    public const string IdToken = "id_token";
#pragma warning restore CS1591

    /// <summary>
    /// The parameters this library sets in the authorization request; caller extras may not use these names.
    /// </summary>
    public static readonly IReadOnlySet<string> AuthorizationRequestParameters = new HashSet<string>(StringComparer.Ordinal)
    {
        ResponseType, ClientId, RedirectUri, Scope, State, CodeChallenge, CodeChallengeMethod,
    };
}
