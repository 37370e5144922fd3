using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using OpenIddict.Abstractions;
using OpenIddict.Validation;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Pkce.LocalAuthority;

/// <summary>
/// A DPoP-protected resource on the authority's Kestrel, <c>GET /api/dpop/me</c>: what a resource server must check
/// by RFC 9449 §7 before it grants anything. The credentials are <c>Authorization: DPoP</c> (§7.1), the proof is
/// checked by <see cref="DpopProofValidator"/> with <c>ath</c> (§4.3), the token by OpenIddict's validation stack
/// (signature, issuer, audience, lifetime, revocation), and the token's <c>cnf.jkt</c> must be the proof key's
/// thumbprint (§6). Refusals are 401 with a <c>DPoP</c> challenge naming the <c>algs</c> it takes (§7.1);
/// <see cref="LocalAuthorityOptions.RequireDpopNonceAtApi"/> adds a nonce of its own (§9).
/// </summary>
internal static class DpopApi
{
    /// <summary>The API's path, relative to the issuer.</summary>
    public const string Path = "api/dpop/me";

    /// <summary>
    /// 200 with <c>{"sub", "client_id", "scope", "expires_at", "jkt"}</c> when every check passes; otherwise 401 and
    /// <c>WWW-Authenticate: DPoP</c>: without an error when no credentials came, <c>invalid_dpop_proof</c> for a
    /// missing or failing proof, <c>use_dpop_nonce</c> (and a <c>DPoP-Nonce</c> header) for a missing or stale
    /// nonce, <c>invalid_token</c> for a bad token, a token sent with the <c>Bearer</c> scheme, an unbound token, or
    /// a key that is not the one the token is bound to. 400 <c>invalid_request</c> for two Authorization headers.
    /// </summary>
    public static async Task<IResult> Me(HttpContext context, DpopProofValidator validator, DpopNonce nonce, bool requireNonce, OpenIddictValidationService validation)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (requireNonce) context.Response.Headers[DpopServer.NonceHeader] = nonce.Current;

        var authorization = context.Request.Headers.Authorization;
        if (authorization.Count == 0) return Challenge(context, null, null);
        if (authorization.Count > 1) return Challenge(context, Errors.InvalidRequest, "more than one Authorization header", StatusCodes.Status400BadRequest);
        var (scheme, token) = authorization[0]?.Split(' ', 2, StringSplitOptions.TrimEntries) switch
        {
            [var s, var t] => (s, t),
            _ => ("", ""),
        };
        if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            return Challenge(context, Errors.InvalidToken, "this API takes DPoP-bound access tokens, sent with the DPoP scheme (RFC 9449 section 7.1)");
        if (!scheme.Equals("DPoP", StringComparison.OrdinalIgnoreCase)) return Challenge(context, null, null);
        if (token.Length == 0 || token.Contains(' ')) return Challenge(context, Errors.InvalidToken, "the DPoP credentials are not one token");

        var proof = await validator.ValidateAsync(new DpopProofRequest(
            context.Request.Headers["DPoP"], context.Request.Method, DpopServer.RequestUrl(context.Request), token, requireNonce ? nonce.Current : null));
        if (proof is DpopProofResult.Invalid invalid) return Challenge(context, invalid.Error, invalid.Description);
        var thumbprint = ((DpopProofResult.Valid)proof).Thumbprint;

        System.Security.Claims.ClaimsPrincipal principal;
        try
        {
            principal = await validation.ValidateAccessTokenAsync(token, context.RequestAborted);
        }
        catch (OpenIddictExceptions.ProtocolException e)
        {
            return Challenge(context, Errors.InvalidToken, e.ErrorDescription ?? "the access token is not valid");
        }
        var bound = DpopServer.Confirmation(principal);
        if (bound is null) return Challenge(context, Errors.InvalidToken, "the access token is not DPoP-bound");
        // The wording of RFC 9449 §7.1's example for this case. (Descriptions go into a header: ASCII only.)
        if (!string.Equals(bound, thumbprint, StringComparison.Ordinal)) return Challenge(context, Errors.InvalidToken, "Invalid DPoP key binding");

        return Results.Json(new JsonObject
        {
            ["sub"] = principal.GetClaim(Claims.Subject),
            ["client_id"] = principal.GetClaim(Claims.ClientId) ?? principal.GetPresenters().FirstOrDefault(),
            ["scope"] = string.Join(' ', principal.GetScopes()),
            ["expires_at"] = principal.GetExpirationDate()?.ToUnixTimeSeconds(),
            ["jkt"] = bound,
        });
    }

    /// <summary>The <c>DPoP</c> challenge of RFC 9449 §7.1: <c>error</c> and <c>error_description</c> when a request failed, <c>algs</c> always.</summary>
    private static IResult Challenge(HttpContext context, string? error, string? description, int status = StatusCodes.Status401Unauthorized)
    {
        var parameters = new List<string>();
        if (error is not null) parameters.Add($"error=\"{error}\"");
        // Descriptions are ours, but a quote or a backslash would still break the quoted-string (RFC 9110 §5.6.4).
        if (description is not null) parameters.Add($"error_description=\"{description.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"");
        parameters.Add($"algs=\"{string.Join(' ', DpopProofValidator.Algorithms)}\"");
        context.Response.Headers.WWWAuthenticate = "DPoP " + string.Join(", ", parameters);
        return Results.StatusCode(status);
    }
}
