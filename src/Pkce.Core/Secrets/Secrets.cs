using System.Buffers.Text;
using System.Security.Cryptography;

namespace Pkce;

/// <summary>The per-flow secrets: what the seed's <c>make_user_secrets</c> returned.</summary>
/// <param name="State">Sent in the authorization request and checked on the callback.</param>
/// <param name="Verifier">Kept by the client, sent to the token endpoint only.</param>
/// <param name="Challenge">S256 of the verifier, sent in the authorization request.</param>
public sealed record FlowSecrets(State State, CodeVerifier Verifier, CodeChallenge Challenge);

/// <summary>Generates state, verifier and challenge.</summary>
public static class Secrets
{
    /// <summary>Octets of entropy in a state and in a verifier.</summary>
    public const int EntropyOctets = 32;

    /// <summary>The operating system's CSPRNG.</summary>
    public static readonly RandomBytes SystemRandom = RandomNumberGenerator.Fill;

    /// <summary>
    /// RFC 7636 §4.1: "It is RECOMMENDED that the output of a suitable random number generator be used to create a
    /// 32-octet sequence. The octet sequence is then base64url-encoded to produce a 43-octet URL safe string to
    /// use as the code verifier." The state is made the same way (RFC 6749 §10.10: guessing probability
    /// at most 2^-128; here 2^-256).
    /// </summary>
    public static FlowSecrets Generate(RandomBytes random)
    {
        // One call for both: each call of the system CSPRNG is a system call.
        Span<byte> octets = stackalloc byte[2 * EntropyOctets];
        random(octets);
        var verifier = CodeVerifier.Trusted(Base64Url.EncodeToString(octets[..EntropyOctets]));
        var state = State.Trusted(Base64Url.EncodeToString(octets[EntropyOctets..]));
        CryptographicOperations.ZeroMemory(octets);
        return new FlowSecrets(state, verifier, Challenge.S256(verifier));
    }

    /// <summary>Generates secrets from the operating system's CSPRNG.</summary>
    public static FlowSecrets Generate() => Generate(SystemRandom);
}
