using LanguageExt;

namespace Pkce;

/// <summary>
/// What must survive between the redirect to the authorization server and the callback. Saved through
/// <see cref="SavePending"/> by <c>Flow.Start</c>, taken (once) through <see cref="TakePending"/> by
/// <c>Flow.Complete</c>, checked by <see cref="Callback.Verify"/>. Prints without the verifier.
/// </summary>
/// <param name="State">The key the stores use: one user may have several flows open at once.</param>
/// <param name="Verifier">The PKCE verifier (secret).</param>
/// <param name="Challenge">S256 of the verifier, as sent.</param>
/// <param name="RedirectUri">RFC 6749 §4.1.3: the token request must repeat it exactly.</param>
/// <param name="ExpectedIssuer">RFC 9207 issuer the callback's <c>iss</c> must equal, if known.</param>
/// <param name="IssuerRequired">Whether a callback without <c>iss</c> is rejected.</param>
/// <param name="User">The user or session that started the flow.</param>
/// <param name="CreatedAt">When the flow started.</param>
/// <param name="ExpiresAt">After this instant the callback is refused.</param>
public sealed record PendingAuthorization(
    State State,
    CodeVerifier Verifier,
    CodeChallenge Challenge,
    Uri RedirectUri,
    Option<string> ExpectedIssuer,
    bool IssuerRequired,
    UserKey User,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt)
{
    /// <summary>Whether the pending authorization has outlived its lifetime at <paramref name="now"/>.</summary>
    public bool IsExpiredAt(DateTimeOffset now) => now >= ExpiresAt;

    /// <summary>Makes the pending authorization for freshly generated secrets.</summary>
    public static PendingAuthorization For(PkceConfig config, FlowSecrets secrets, UserKey user, DateTimeOffset now) =>
        new(secrets.State, secrets.Verifier, secrets.Challenge, config.Client.RedirectUri,
            config.Server.ExpectedIssuer, config.Server.IssuerAlwaysSent, user, now, now + config.PendingLifetime);
}
