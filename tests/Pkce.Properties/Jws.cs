using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Pkce.Properties;

/// <summary>
/// Reads a compact JWS as a server would, on .NET's own cryptography and nothing of Pkce.Core's: the header and
/// payload as JSON, and the signature checked with a key imported from the header's <c>jwk</c> members.
/// </summary>
internal sealed record Jws(JsonElement Header, JsonElement Payload, string SigningInput, byte[] Signature)
{
    public static Jws Read(string compact)
    {
        var parts = compact.Split('.');
        if (parts.Length != 3) throw new Xunit.Sdk.XunitException($"a compact JWS has three parts, not {parts.Length}");
        return new Jws(Json(parts[0]), Json(parts[1]), parts[0] + "." + parts[1], Base64Url.DecodeFromChars(parts[2]));
    }

    private static JsonElement Json(string segment) => JsonDocument.Parse(Base64Url.DecodeFromChars(segment)).RootElement.Clone();

    public static string[] Names(JsonElement json) => [.. json.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];

    public static byte[] Bytes(JsonElement json, string name) => Base64Url.DecodeFromChars(json.GetProperty(name).GetString());

    /// <summary>
    /// RFC 7518 §3.3, §3.4, §3.5: ES256 is ECDSA P-256 with the signature as R ‖ S (IEEE P1363), RS256 RSASSA-PKCS1-v1_5,
    /// PS256 RSASSA-PSS; each over SHA-256 of the ASCII signing input, checked with the key the header's <c>jwk</c> names.
    /// </summary>
    public bool Verifies()
    {
        var jwk = Header.GetProperty("jwk");
        var input = Encoding.ASCII.GetBytes(SigningInput);
        switch (Header.GetProperty("alg").GetString())
        {
            case "ES256" when jwk.GetProperty("kty").GetString() == "EC" && jwk.GetProperty("crv").GetString() == "P-256":
                using (var ec = ECDsa.Create(new ECParameters
                       {
                           Curve = ECCurve.NamedCurves.nistP256,
                           Q = new ECPoint { X = Bytes(jwk, "x"), Y = Bytes(jwk, "y") },
                       }))
                    return Signature.Length == 64 && ec.VerifyData(input, Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            case var alg and ("RS256" or "PS256") when jwk.GetProperty("kty").GetString() == "RSA":
                using (var rsa = RSA.Create(new RSAParameters { Modulus = Bytes(jwk, "n"), Exponent = Bytes(jwk, "e") }))
                    return rsa.VerifyData(input, Signature, HashAlgorithmName.SHA256, alg == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1);
            default:
                return false;
        }
    }
}
