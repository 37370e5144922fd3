using System.Text.Json;
using LanguageExt;
using Pkce.Http;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>
/// Turns any answer of the token endpoint (to a code or a refresh grant) into a <see cref="TokenResponse"/> or a
/// typed error; it never throws. The envelope (JSON, OAuth errors, statuses) is <see cref="JsonAnswer"/>'s.
/// Tolerated deviations from RFC 6749 §5, each written down where it is accepted: <c>expires_in</c> as a numeric
/// string or a number with a fraction; a missing content type; an error object with status 200.
/// </summary>
public static class TokenResponseParser
{
    private static readonly System.Collections.Generic.HashSet<string> Known = new(StringComparer.Ordinal)
    {
        WireNames.AccessToken, WireNames.TokenType, WireNames.ExpiresIn, WireNames.RefreshToken, WireNames.Scope, WireNames.IdToken,
    };

    private static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(36525);

    /// <summary>
    /// RFC 6749 §5.1: success is 200 with an <c>application/json</c> object holding <c>access_token</c> and
    /// <c>token_type</c>. §5.2: errors are "HTTP 400 (Bad Request) status code (unless specified otherwise)" with
    /// an <c>error</c> member; 401 for <c>invalid_client</c>. Any other status or body is an
    /// <see cref="PkceError.UnexpectedResponse"/>, with a body excerpt only when the status is not 2xx.
    /// </summary>
    public static Either<PkceError, TokenResponse> Parse(HttpAnswer answer) => Parse(answer, dpop: false);

    /// <summary>
    /// As <see cref="Parse(HttpAnswer)"/>, for a request that did (<paramref name="dpop"/>) or did not carry a DPoP
    /// proof. RFC 9449 §5: a DPoP-bound token comes back with <c>token_type</c> <c>DPoP</c>; an answer of
    /// <c>Bearer</c> to a request with a proof is a server that ignored the binding, and is refused
    /// (<see cref="PkceError.TokenTypeMismatch"/>), not used as a bearer token the client did not ask for.
    /// </summary>
    public static Either<PkceError, TokenResponse> Parse(HttpAnswer answer, bool dpop) =>
        JsonAnswer.Read(answer, (root, text) => Success(answer, root, text, dpop ? WireNames.Dpop : WireNames.Bearer));

    // Written with early returns rather than a LINQ chain over Either: this runs once per token and every
    // step of such a chain allocates.
    private static Either<PkceError, TokenResponse> Success(HttpAnswer answer, JsonElement root, string text, string expectedType)
    {
        if (!JsonAnswer.TryString(root, WireNames.AccessToken, out var accessToken, out var problem))
            return JsonAnswer.Unexpected<TokenResponse>(answer, problem!);
        if (string.IsNullOrEmpty(accessToken))
            return JsonAnswer.Unexpected<TokenResponse>(answer, $"'{WireNames.AccessToken}' is {(accessToken is null ? "missing" : "empty")}");
        if (!JsonAnswer.TryString(root, WireNames.TokenType, out var tokenType, out problem)
            || !JsonAnswer.TryString(root, WireNames.RefreshToken, out var refreshToken, out problem)
            || !JsonAnswer.TryString(root, WireNames.Scope, out var scope, out problem)
            || !JsonAnswer.TryString(root, WireNames.IdToken, out var idToken, out problem))
            return JsonAnswer.Unexpected<TokenResponse>(answer, problem!);
        // RFC 6749 §5.1: token_type is REQUIRED and "case insensitive"; §7.1: "The client MUST NOT use an access
        // token if it does not understand the token type." Bearer (RFC 6750) and DPoP (RFC 9449) are understood,
        // each only as the answer to its own kind of request.
        if (!string.Equals(tokenType, expectedType, StringComparison.OrdinalIgnoreCase))
            return string.Equals(tokenType, WireNames.Bearer, StringComparison.OrdinalIgnoreCase) || string.Equals(tokenType, WireNames.Dpop, StringComparison.OrdinalIgnoreCase)
                ? new PkceError.TokenTypeMismatch(expectedType, tokenType!)
                : new PkceError.UnsupportedTokenType(Optional(tokenType));
        // RFC 6749 §5.1: "expires_in RECOMMENDED. The lifetime in seconds of the access token." Refused: negative
        // values and values beyond 100 years.
        return JsonAnswer.Seconds(root, WireNames.ExpiresIn, MaxLifetime).Match(
            expiresIn => Right<PkceError, TokenResponse>(new TokenResponse(
                accessToken, tokenType!, expiresIn, Optional(refreshToken), Optional(scope), Optional(idToken), Extras(root), text)),
            reason => JsonAnswer.Unexpected<TokenResponse>(answer, reason));
    }

    private static HashMap<string, JsonElement> Extras(JsonElement root)
    {
        var extras = HashMap<string, JsonElement>();
        foreach (var member in root.EnumerateObject())
            if (!Known.Contains(member.Name)) extras = extras.AddOrUpdate(member.Name, member.Value.Clone());
        return extras;
    }
}
