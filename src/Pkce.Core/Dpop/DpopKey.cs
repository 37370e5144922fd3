using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LanguageExt;

namespace Pkce;

/// <summary>
/// The asymmetric key a DPoP client proves possession of (RFC 9449): ES256 (P-256) by default, RS256 and PS256
/// accepted. Made with the platform's cryptography; the private key leaves only through <see cref="Export"/>, for a
/// store that keeps it as a secret, and never prints. <see cref="Thumbprint"/> is what binds tokens to it
/// (<c>dpop_jkt</c>, <c>cnf.jkt</c>).
/// </summary>
public sealed class DpopKey : IDisposable
{
    private readonly AsymmetricAlgorithm _key;

    private DpopKey(string algorithm, AsymmetricAlgorithm key)
    {
        (Algorithm, _key) = (algorithm, key);
        PublicJwk = Jwk(key);
        Thumbprint = ThumbprintOf(key);
    }

    /// <summary>The JWS algorithm of its proofs: <c>ES256</c>, <c>RS256</c> or <c>PS256</c>.</summary>
    public string Algorithm { get; }

    /// <summary>
    /// The public key as a JWK (RFC 7517) with only its required members, as the proof's <c>jwk</c> header carries
    /// it (RFC 9449 §4.2: "MUST NOT contain a private key").
    /// </summary>
    public string PublicJwk { get; }

    /// <summary>
    /// RFC 7638 JWK thumbprint, base64url SHA-256 of the required members in lexicographic order with no whitespace:
    /// the value of <c>dpop_jkt</c> (§10) and of a bound token's <c>cnf.jkt</c> (§6.1).
    /// </summary>
    public string Thumbprint { get; }

    /// <summary>A new key for <paramref name="algorithm"/> (ES256 unless said otherwise; RSA keys are 2048 bits).</summary>
    public static Either<PkceError, DpopKey> Generate(string algorithm = "ES256") => algorithm switch
    {
        "ES256" => new DpopKey(algorithm, ECDsa.Create(ECCurve.NamedCurves.nistP256)),
        "RS256" or "PS256" => new DpopKey(algorithm, RSA.Create(2048)),
        _ => new PkceError.InvalidValue("DPoP algorithm", $"'{ServerText.Printable(algorithm)}' is not ES256, RS256 or PS256"),
    };

    /// <summary>
    /// A key around <paramref name="key"/> (an <see cref="RSA"/>, or an <see cref="ECDsa"/> on P-256), which may hold
    /// the public half only, as the RFCs' example keys do: for known-answer tests of the thumbprint and the JWK.
    /// Takes ownership of <paramref name="key"/>.
    /// </summary>
    internal static DpopKey From(string algorithm, AsymmetricAlgorithm key) => new(algorithm, key);

    /// <summary>The private key as PKCS#8 (secret: for a store that keeps it as one), with <see cref="Algorithm"/> to import it by.</summary>
    public byte[] Export() => _key.ExportPkcs8PrivateKey();

    /// <summary>A key exported by <see cref="Export"/>: the algorithm must fit the key (an EC key on P-256 for ES256, RSA of at least 2048 bits otherwise).</summary>
    public static Either<PkceError, DpopKey> Import(string algorithm, ReadOnlySpan<byte> pkcs8)
    {
        AsymmetricAlgorithm? key = null;
        try
        {
            int read;
            switch (algorithm)
            {
                case "ES256":
                    var ec = ECDsa.Create();
                    key = ec;
                    ec.ImportPkcs8PrivateKey(pkcs8, out read);
                    // An explicit curve (RFC 5480 §2.1.1: "specifiedCurve ... MUST NOT be used") has no OID to compare.
                    if (ec.ExportParameters(false).Curve is not { IsNamed: true, Oid.Value: var curve } || curve != ECCurve.NamedCurves.nistP256.Oid.Value)
                        return Fail(key, "the key is not on P-256");
                    break;
                case "RS256" or "PS256":
                    var rsa = RSA.Create();
                    key = rsa;
                    rsa.ImportPkcs8PrivateKey(pkcs8, out read);
                    if (rsa.KeySize < 2048) return Fail(key, $"an RSA key of {rsa.KeySize} bits is too short");
                    break;
                default:
                    return new PkceError.InvalidValue("DPoP algorithm", $"'{ServerText.Printable(algorithm)}' is not ES256, RS256 or PS256");
            }
            // DER has one encoding per value: bytes after the key mean the stored value is not one Export made.
            if (read != pkcs8.Length) return Fail(key, "the stored key has bytes after its end");
            return new DpopKey(algorithm, key);
        }
        // A damaged curve OID is a PlatformNotSupportedException ("the specified curve ... is not valid for this platform").
        catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException)
        {
            return Fail(key, $"the stored key is not a PKCS#8 {algorithm} private key");
        }
    }

    private static Either<PkceError, DpopKey> Fail(AsymmetricAlgorithm? key, string reason)
    {
        key?.Dispose();
        return new PkceError.InvalidValue("DPoP key", reason);
    }

    /// <summary>Signs a JWS signing input as <see cref="Algorithm"/> says (ECDSA in the IEEE P1363 form JWS uses, RFC 7518 §3.4).</summary>
    // The constructor admits an EC or an RSA key only (Jwk refuses any other), so a key that is not EC is RSA.
    internal byte[] Sign(ReadOnlySpan<byte> input) => _key is ECDsa ec
        ? ec.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
        : ((RSA)_key).SignData(input.ToArray(), HashAlgorithmName.SHA256, Algorithm == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1);

    private static string Jwk(AsymmetricAlgorithm key) => key switch
    {
        ECDsa ec => Json(ec.ExportParameters(false), (p, w) => { w.WriteString("crv", "P-256"); w.WriteString("kty", "EC"); w.WriteString("x", B64(p.Q.X!)); w.WriteString("y", B64(p.Q.Y!)); }),
        RSA rsa => Json(rsa.ExportParameters(false), (p, w) => { w.WriteString("e", B64(p.Exponent!)); w.WriteString("kty", "RSA"); w.WriteString("n", B64(p.Modulus!)); }),
        _ => throw new InvalidOperationException("DpopKey holds an EC or RSA key"),
    };

    // RFC 7638 §3.2: the required members only, in lexicographic order: Jwk writes them so already.
    private static string ThumbprintOf(AsymmetricAlgorithm key) => B64(SHA256.HashData(Encoding.UTF8.GetBytes(Jwk(key))));

    private static string Json<T>(T parameters, Action<T, Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(parameters, writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    internal static string B64(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);

    /// <summary>Prints the algorithm and thumbprint, never the private key.</summary>
    public override string ToString() => $"DpopKey {{ Algorithm = {Algorithm}, Thumbprint = {Thumbprint} }}";

    /// <summary>Releases the key.</summary>
    public void Dispose() => _key.Dispose();
}
