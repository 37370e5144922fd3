using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Pkce.LocalAuthority;

/// <summary>
/// A protected resource on the authority's own Kestrel, <c>GET /api/me</c>: it validates the bearer access token
/// (RFC 6750 §2.1) with OpenIddict's validation stack against the local server (its keys, its issuer, its token
/// database) and answers who the token speaks for. What a browser demo or a test calls with the token it obtained.
/// </summary>
internal static class DemoApi
{
    /// <summary>The API's path, relative to the issuer.</summary>
    public const string Path = "api/me";

    /// <summary>
    /// Adds OpenIddict validation. <c>UseLocalServer</c> takes the server's keys and issuer without a network round
    /// trip. Token entry validation is switched on by hand: OpenIddict enables it by itself only for reference
    /// tokens, and without it a self-contained access token stays valid after the revocation endpoint marked its
    /// database entry revoked (RFC 7009 §2: "the authorization server invalidates the token"). The audience check
    /// makes the API accept only tokens issued for <see cref="LocalAuthority.ResourceServerId"/>.
    /// </summary>
    public static OpenIddictBuilder AddDemoApiValidation(this OpenIddictBuilder builder) =>
        builder.AddValidation(validation =>
        {
            validation.UseLocalServer();
            validation.UseAspNetCore();
            validation.EnableTokenEntryValidation();
            validation.AddAudiences(LocalAuthority.ResourceServerId);
        });

    /// <summary>
    /// Answers 200 with <c>{"sub", "client_id", "scope", "expires_at"}</c> (<c>expires_at</c> in Unix seconds, or
    /// null) for a valid token; otherwise OpenIddict's challenge: 401 with <c>WWW-Authenticate: Bearer</c> and, when
    /// a token was sent, <c>error="invalid_token"</c> (RFC 6750 §3.1).
    /// </summary>
    public static async Task<IResult> Me(HttpContext context)
    {
        var scheme = OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme;
        var result = await context.AuthenticateAsync(scheme);
        if (!result.Succeeded || result.Principal is not { } principal) return Results.Challenge(authenticationSchemes: [scheme]);
        return Results.Json(new JsonObject
        {
            ["sub"] = principal.GetClaim(Claims.Subject),
            ["client_id"] = principal.GetClaim(Claims.ClientId) ?? principal.GetPresenters().FirstOrDefault(),
            ["scope"] = string.Join(' ', principal.GetScopes()),
            ["expires_at"] = principal.GetExpirationDate()?.ToUnixTimeSeconds(),
        });
    }
}
