using LanguageExt;

namespace Pkce;

/// <summary>
/// What a client that uses DPoP carries through every request: its key and the nonces servers gave it. Put it in
/// <see cref="Dependencies.Dpop"/>; the flow then asks for a bound code (<c>dpop_jkt</c>), sends a proof with every
/// token request, and requires <c>token_type</c> <c>DPoP</c> back.
/// </summary>
/// <param name="Key">The key proofs are signed with; tokens are bound to it.</param>
/// <param name="Nonces">The servers' nonces, per origin.</param>
public sealed record DpopBinding(DpopKey Key, DpopNonces Nonces)
{
    /// <summary>A binding to <paramref name="key"/> with no nonce yet.</summary>
    public DpopBinding(DpopKey key) : this(key, new DpopNonces()) { }

    /// <summary>A fresh proof for <paramref name="method"/> <paramref name="target"/>, with the origin's nonce and, for a resource request, the access token's hash.</summary>
    public string Proof(RandomBytes random, TimeProvider clock, string method, Uri target, Option<string> accessToken) =>
        DpopProof.Create(Key, method, target, clock.GetUtcNow(), DpopProof.NewJti(random), Nonces.For(target), accessToken);
}
