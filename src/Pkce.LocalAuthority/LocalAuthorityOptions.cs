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

    /// <summary>
    /// RFC 9449 §5.2 (<c>dpop_bound_access_tokens</c> for every client): the token endpoint refuses a request
    /// without a DPoP proof, 400 <c>invalid_dpop_proof</c>. Off by default: a request with a proof gets DPoP-bound
    /// tokens, one without gets bearer tokens.
    /// </summary>
    public bool RequireDpop { get; init; }

    /// <summary>
    /// RFC 9449 §8: the token endpoint (and the PAR endpoint, for a request with a DPoP header) answers 400
    /// <c>use_dpop_nonce</c> with a <c>DPoP-Nonce</c> header until the proof carries the current nonce. Every answer
    /// of those endpoints carries the current nonce. <see cref="LocalAuthority.RotateDpopNonces"/> changes it.
    /// </summary>
    public bool RequireDpopNonce { get; init; }

    /// <summary>RFC 9449 §9: the DPoP demo API answers 401 <c>use_dpop_nonce</c> with a <c>DPoP-Nonce</c> header (a nonce of its own) until the proof carries it.</summary>
    public bool RequireDpopNonceAtApi { get; init; }

    /// <summary>RFC 9449 §11.1: how far a proof's <c>iat</c> may be from the server's clock, either way; its <c>jti</c> is remembered twice as long.</summary>
    public TimeSpan DpopProofWindow { get; init; } = TimeSpan.FromSeconds(60);
}
