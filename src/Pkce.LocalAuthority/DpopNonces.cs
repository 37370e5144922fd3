using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Pkce.LocalAuthority;

/// <summary>
/// One server's current DPoP nonce (RFC 9449 §8): 128 random bits, base64url, so "unpredictable" as §8 requires.
/// Only the current value is accepted; <see cref="Rotate"/> makes every proof carrying the old one answer
/// <c>use_dpop_nonce</c> with the new one, which is how a test checks that a client follows a changed nonce.
/// OpenIddict 7.8.0 has no DPoP support at all, nonces included: this is ours.
/// </summary>
internal sealed class DpopNonce
{
    private string _current = Fresh();

    /// <summary>The nonce proofs must carry now; sent in the <c>DPoP-Nonce</c> header.</summary>
    public string Current => Volatile.Read(ref _current);

    /// <summary>Replaces the nonce.</summary>
    public void Rotate() => Volatile.Write(ref _current, Fresh());

    private static string Fresh() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));
}

/// <summary>
/// The authority's two nonce sources. RFC 9449 §9: "the nonces provided by an authorization server and a resource
/// server are different", so a client that mixes them up is refused.
/// </summary>
/// <param name="AuthorizationServer">For the token and PAR endpoints.</param>
/// <param name="Api">For the DPoP demo API.</param>
internal sealed record DpopNonces(DpopNonce AuthorizationServer, DpopNonce Api);
