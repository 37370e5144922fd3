using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using OpenIddict.Validation;
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
    /// makes the API accept only tokens issued for <see cref="LocalAuthority.ResourceServerId"/>. OpenIddict's
    /// proof-of-possession check knows only mTLS and throws on a <c>cnf.jkt</c>; <see cref="DpopConfirmation"/>
    /// takes its place and leaves the key to the caller (<see cref="Me"/> refuses such a token,
    /// <see cref="DpopApi"/> matches it with the proof).
    /// </summary>
    public static OpenIddictBuilder AddDemoApiValidation(this OpenIddictBuilder builder) =>
        builder.AddValidation(validation =>
        {
            validation.UseLocalServer();
            validation.UseAspNetCore();
            validation.EnableTokenEntryValidation();
            validation.AddAudiences(LocalAuthority.ResourceServerId);
            validation.RemoveEventHandler(OpenIddictValidationHandlers.Protection.ValidateProofOfPossession.Descriptor);
            validation.AddEventHandler(DpopConfirmation.Descriptor);
        });

    /// <summary>
    /// Answers 200 with <c>{"sub", "client_id", "scope", "expires_at"}</c> (<c>expires_at</c> in Unix seconds, or
    /// null) for a valid token; otherwise OpenIddict's challenge: 401 with <c>WWW-Authenticate: Bearer</c> and, when
    /// a token was sent, <c>error="invalid_token"</c> (RFC 6750 §3.1). A DPoP-bound token is refused here: RFC 9449
    /// §7.2, "such a protected resource MUST reject a DPoP-bound access token received as a bearer token".
    /// </summary>
    public static async Task<IResult> Me(HttpContext context)
    {
        var scheme = OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme;
        var result = await context.AuthenticateAsync(scheme);
        if (!result.Succeeded || result.Principal is not { } principal) return Results.Challenge(authenticationSchemes: [scheme]);
        if (DpopServer.Confirmation(principal) is not null)
            return Results.Challenge(new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictValidationAspNetCoreConstants.Properties.Error] = Errors.InvalidToken,
                [OpenIddictValidationAspNetCoreConstants.Properties.ErrorDescription] = "a DPoP-bound access token must be sent with the DPoP scheme, to " + DpopApi.Path,
            }), [scheme]);
        return Results.Json(new JsonObject
        {
            ["sub"] = principal.GetClaim(Claims.Subject),
            ["client_id"] = principal.GetClaim(Claims.ClientId) ?? principal.GetPresenters().FirstOrDefault(),
            ["scope"] = string.Join(' ', principal.GetScopes()),
            ["expires_at"] = principal.GetExpirationDate()?.ToUnixTimeSeconds(),
        });
    }
}

/// <summary>
/// The validation stack's check of a token's <c>cnf</c>, in place of OpenIddict's: a <c>cnf.jkt</c> (RFC 9449 §6.1)
/// passes here, and whoever asked for the validation compares it with a proof or refuses the token; any other
/// confirmation goes to OpenIddict's own handler (mTLS, <c>x5t#S256</c>).
/// </summary>
internal sealed class DpopConfirmation : IOpenIddictValidationHandler<OpenIddictValidationEvents.ValidateTokenContext>
{
    private static readonly OpenIddictValidationHandlers.Protection.ValidateProofOfPossession Builtin = new();

    public static OpenIddictValidationHandlerDescriptor Descriptor { get; } = OpenIddictValidationHandlerDescriptor.CreateBuilder<OpenIddictValidationEvents.ValidateTokenContext>()
        .AddFilter<OpenIddictValidationHandlerFilters.RequireTokenProofOfPossessionValidationEnabled>()
        .UseSingletonHandler<DpopConfirmation>()
        .SetOrder(OpenIddictValidationHandlers.Protection.ValidateProofOfPossession.Descriptor.Order)
        .Build();

    public ValueTask HandleAsync(OpenIddictValidationEvents.ValidateTokenContext context) =>
        context.Principal is { } principal && DpopServer.Confirmation(principal) is not null ? ValueTask.CompletedTask : Builtin.HandleAsync(context);
}
