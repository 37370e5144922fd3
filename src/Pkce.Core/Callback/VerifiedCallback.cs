namespace Pkce;

/// <summary>
/// A callback whose state, user, lifetime and issuer have been checked against its pending authorization by
/// <see cref="Callback.Verify"/>, the only place that can make one. The token exchange accepts nothing else, so an
/// unchecked code cannot be redeemed. Prints without the code or the verifier.
/// </summary>
public sealed record VerifiedCallback
{
    internal VerifiedCallback(AuthorizationCode code, PendingAuthorization pending) => (Code, Pending) = (code, pending);

    /// <summary>The authorization code (secret).</summary>
    public AuthorizationCode Code { get; }

    /// <summary>The pending authorization the callback was checked against; it holds the verifier.</summary>
    public PendingAuthorization Pending { get; }
}
