using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Pkce.LocalAuthority;

/// <summary>
/// The two answers of the authorization endpoint in passthrough mode, once OpenIddict has validated the request
/// (client, redirect URI, PKCE): sign the user in (OpenIddict then redirects with a code) or deny (OpenIddict then
/// redirects with <c>error=access_denied</c>, RFC 6749 §4.1.2.1).
/// </summary>
internal static class AuthorizationResults
{
    /// <summary>The user the request signs in: its <c>login_hint</c>, or <see cref="LocalAuthority.DefaultSubject"/>.</summary>
    public static string Subject(OpenIddictRequest request) =>
        string.IsNullOrEmpty(request.LoginHint) ? LocalAuthority.DefaultSubject : request.LoginHint;

    /// <summary>
    /// Signs in <see cref="Subject"/> with the requested scopes. The access token names
    /// <see cref="LocalAuthority.ResourceServerId"/> as its audience, which the demo API (<see cref="DemoApi"/>) and
    /// the introspecting resource server require.
    /// </summary>
    public static IResult SignIn(OpenIddictRequest request)
    {
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, Subject(request));
        identity.SetScopes(request.GetScopes());
        identity.SetResources(LocalAuthority.ResourceServerId);
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>Answers <c>access_denied</c> with <paramref name="description"/> at the client's redirect URI.</summary>
    public static IResult Denied(string description) =>
        Results.Forbid(new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.AccessDenied,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
