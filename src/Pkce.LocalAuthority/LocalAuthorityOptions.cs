namespace Pkce.LocalAuthority;

/// <summary>Settings of a <see cref="LocalAuthority"/>.</summary>
public sealed record LocalAuthorityOptions
{
    /// <summary>The port to listen on at 127.0.0.1; 0 lets the system choose a free one.</summary>
    public int Port { get; init; }

    /// <summary>The redirect URIs every registered client may use.</summary>
    public IReadOnlyList<string> RedirectUris { get; init; } = ["http://127.0.0.1:8000/callback"];

    /// <summary>The scopes clients may ask for (besides <c>openid</c> and <c>offline_access</c>).</summary>
    public IReadOnlyList<string> Scopes { get; init; } = ["api"];

    /// <summary>Lifetime of access tokens.</summary>
    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>RFC 9126 §5: every client must push its authorization requests (the metadata says so).</summary>
    public bool RequirePushedAuthorizationRequests { get; init; }

    /// <summary>Lifetime of authorization codes.</summary>
    public TimeSpan CodeLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// When set, the authorization endpoint answers a valid request with an HTML consent page (client, user,
    /// scopes, buttons <c>#approve</c> and <c>#deny</c>) instead of signing in at once; the page posts back with an
    /// antiforgery token. Off by default: tests and the CLI demo follow the redirect without a page.
    /// </summary>
    public bool RequireConsent { get; init; }

    /// <summary>The starting value of <see cref="LocalAuthority.DenyAuthorizations"/>, which may be changed later.</summary>
    public bool DenyAuthorizations { get; init; }
}
