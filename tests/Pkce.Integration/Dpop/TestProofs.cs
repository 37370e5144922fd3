using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Pkce.Integration.Dpop;

/// <summary>
/// TEST-ONLY DPoP proof maker, written here so the servers' DPoP can be tested before, and apart from, the client
/// library's: one ECDSA P-256 key, proofs with the header <c>{typ, alg, jwk}</c> and the claims
/// <c>{jti, htm, htu, iat, nonce?, ath?}</c> of RFC 9449 §4.2, signed with <see cref="ECDsa.SignData(byte[], HashAlgorithmName, DSASignatureFormat)"/>
/// in the IEEE P1363 form JWS wants (RFC 7518 §3.4). Every knob a refusal test turns is a parameter. Never a model
/// for production code: it checks nothing and keeps its key in memory.
/// </summary>
internal sealed class TestProofs : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>The public key as a JWK, members in the lexicographic order RFC 7638 §3.3 hashes them in.</summary>
    public JsonObject PublicJwk()
    {
        var parameters = _key.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["crv"] = "P-256",
            ["kty"] = "EC",
            ["x"] = Base64Url(parameters.Q.X!),
            ["y"] = Base64Url(parameters.Q.Y!),
        };
    }

    /// <summary>RFC 7638: base64url SHA-256 of the required members, no whitespace, sorted. Written here, not taken from a server.</summary>
    public string Thumbprint => Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes(PublicJwk().ToJsonString())));

    /// <summary>A proof for <paramref name="method"/> <paramref name="url"/>; <paramref name="url"/> goes into <c>htu</c> as given.</summary>
    /// <param name="method">The <c>htm</c> claim.</param>
    /// <param name="url">The <c>htu</c> claim.</param>
    /// <param name="accessToken">When given, <c>ath</c> is its hash (RFC 9449 §4.2).</param>
    /// <param name="nonce">When given, the <c>nonce</c> claim.</param>
    /// <param name="issuedAt">The <c>iat</c> claim; now by default.</param>
    /// <param name="jti">The <c>jti</c> claim; 128 random bits by default.</param>
    /// <param name="header">Changes the header before signing (a wrong <c>typ</c>, a private key in <c>jwk</c>...).</param>
    public string Proof(string method, string url, string? accessToken = null, string? nonce = null, DateTimeOffset? issuedAt = null,
        string? jti = null, Action<JsonObject>? header = null)
    {
        var protectedHeader = new JsonObject { ["typ"] = "dpop+jwt", ["alg"] = "ES256", ["jwk"] = PublicJwk() };
        header?.Invoke(protectedHeader);
        var claims = new JsonObject
        {
            ["jti"] = jti ?? Base64Url(RandomNumberGenerator.GetBytes(16)),
            ["htm"] = method,
            ["htu"] = url,
            ["iat"] = (issuedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(),
        };
        if (nonce is not null) claims["nonce"] = nonce;
        if (accessToken is not null) claims["ath"] = AccessTokenHash(accessToken);
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(protectedHeader.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url(signature);
    }

    /// <summary>The private scalar, for a test that puts it where a public key belongs.</summary>
    public string PrivateScalar() => Base64Url(_key.ExportParameters(includePrivateParameters: true).D!);

    /// <summary>RFC 9449 §4.2: base64url SHA-256 of the ASCII access token.</summary>
    public static string AccessTokenHash(string accessToken) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose() => _key.Dispose();
}
