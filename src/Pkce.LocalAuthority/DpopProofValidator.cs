using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Pkce.LocalAuthority;

/// <summary>The request a DPoP proof came with, which the proof must match.</summary>
/// <param name="Proofs">The values of every <c>DPoP</c> header of the request.</param>
/// <param name="Method">The request's method.</param>
/// <param name="Url">The request's URL as the server received it (its query and fragment are ignored).</param>
/// <param name="AccessToken">The access token sent beside the proof, at a resource server; null at the authorization server.</param>
/// <param name="Nonce">The nonce this server expects in the proof; null when it asks for none.</param>
internal sealed record DpopProofRequest(IReadOnlyList<string?> Proofs, string Method, Uri Url, string? AccessToken, string? Nonce)
{
    // The access token is a secret: it never prints.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Proofs = {Proofs?.Count ?? 0}, Method = {Method}, Url = {Url}, AccessToken = {(AccessToken is null ? "none" : "[redacted]")}, Nonce = {Nonce}");
        return true;
    }
}

/// <summary>What <see cref="DpopProofValidator.ValidateAsync"/> concluded.</summary>
internal abstract record DpopProofResult
{
    private DpopProofResult() { }

    /// <summary>Every check passed; the proof's key has this RFC 7638 thumbprint (base64url SHA-256).</summary>
    public sealed record Valid(string Thumbprint) : DpopProofResult;

    /// <summary>
    /// A check failed: <c>invalid_dpop_proof</c> (RFC 9449 §5 and §7.1), or <c>use_dpop_nonce</c> (§8 and §9) when
    /// only the nonce was missing or stale.
    /// </summary>
    public sealed record Invalid(string Error, string Description) : DpopProofResult;
}

/// <summary>
/// Checks a DPoP proof as RFC 9449 §4.3 lists it, for the token endpoint, the PAR endpoint and the DPoP demo API.
/// JWS parsing and the signature check use Microsoft.IdentityModel (the key comes from the proof's own <c>jwk</c>
/// header); the claims are read from the payload JSON, so that a claim of the wrong type is refused, not converted.
/// Remembers the <c>jti</c> of every accepted proof for twice the <c>iat</c> window (§11.1), per target URI.
/// </summary>
internal sealed class DpopProofValidator(TimeProvider clock, TimeSpan window)
{
    /// <summary>The JWS algorithms accepted (RFC 9449 §11.6: asymmetric only), as <c>dpop_signing_alg_values_supported</c> and <c>algs</c> list them.</summary>
    public static readonly IReadOnlyList<string> Algorithms =
        [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256];

    /// <summary>RFC 9449 §11.1: "reject DPoP proof JWTs with unnecessarily large jti values".</summary>
    private const int MaxJtiLength = 256;

    private const int MaxProofLength = 8192;

    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    private readonly JsonWebTokenHandler _handler = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

    /// <summary>The thumbprint of <paramref name="proof"/>'s key if every check of RFC 9449 §4.3 passes, else the first failure.</summary>
    public async Task<DpopProofResult> ValidateAsync(DpopProofRequest proof)
    {
        // §4.3 (1) and (2): one header, holding one well-formed JWT.
        if (proof.Proofs.Count == 0 || string.IsNullOrEmpty(proof.Proofs[0])) return Invalid("the request has no DPoP proof");
        if (proof.Proofs.Count > 1) return Invalid("the request has more than one DPoP header");
        var compact = proof.Proofs[0]!;
        if (compact.Length > MaxProofLength || compact.Count(c => c == '.') != 2) return Invalid("the DPoP proof is not a JWS in compact form");
        JsonElement header, payload;
        try
        {
            var parts = compact.Split('.');
            header = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(parts[0])).RootElement.Clone();
            payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(parts[1])).RootElement.Clone();
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            return Invalid("the DPoP proof is not a well-formed JWT");
        }
        if (header.ValueKind != JsonValueKind.Object || payload.ValueKind != JsonValueKind.Object) return Invalid("the DPoP proof is not a well-formed JWT");

        // (4) typ, (5) alg, (7) a public jwk.
        if (!string.Equals(Text(header, "typ"), "dpop+jwt", StringComparison.OrdinalIgnoreCase)) return Invalid("the DPoP proof's typ is not dpop+jwt");
        var alg = Text(header, "alg");
        if (alg is null || !Algorithms.Contains(alg)) return Invalid($"the DPoP proof's alg is not one of {string.Join(", ", Algorithms)}");
        if (!header.TryGetProperty("jwk", out var jwkJson) || jwkJson.ValueKind != JsonValueKind.Object) return Invalid("the DPoP proof has no jwk header");
        if (PrivateMembers.Any(member => jwkJson.TryGetProperty(member, out _))) return Invalid("the DPoP proof's jwk holds a private key");
        JsonWebKey jwk;
        try
        {
            jwk = new JsonWebKey(jwkJson.GetRawText());
        }
        catch (ArgumentException)
        {
            return Invalid("the DPoP proof's jwk is not a JSON Web Key");
        }
        if (jwk.Kty is not (JsonWebAlgorithmsKeyTypes.EllipticCurve or JsonWebAlgorithmsKeyTypes.RSA) || jwk.HasPrivateKey)
            return Invalid("the DPoP proof's jwk is not a public EC or RSA key");

        // (6) the signature, with the key the proof carries. A fresh factory per key: proofs bring new keys all the time.
        jwk.CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false };
        var signature = await _handler.ValidateTokenAsync(compact, new TokenValidationParameters
        {
            IssuerSigningKey = jwk,
            TryAllIssuerSigningKeys = true,
            ValidAlgorithms = Algorithms,
            TypeValidator = (type, _, _) => type, // checked above, case-insensitively
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireSignedTokens = true,
        });
        if (!signature.IsValid) return Invalid("the DPoP proof's signature does not verify with its jwk");

        // (3) the required claims, each of its type.
        var jti = Text(payload, "jti");
        var htm = Text(payload, "htm");
        var htu = Text(payload, "htu");
        if (string.IsNullOrEmpty(jti) || jti.Length > MaxJtiLength) return Invalid("the DPoP proof has no jti, or one too long");
        if (htm is null || htu is null) return Invalid("the DPoP proof lacks htm or htu");
        if (!payload.TryGetProperty("iat", out var iatJson) || iatJson.ValueKind != JsonValueKind.Number) return Invalid("the DPoP proof has no numeric iat");

        // (8) htm, (9) htu without query and fragment, (11) iat, (12) ath.
        if (!string.Equals(htm, proof.Method, StringComparison.Ordinal)) return Invalid($"the DPoP proof's htm is not {proof.Method}");
        if (!SameTarget(htu, proof.Url, out var target)) return Invalid("the DPoP proof's htu is not this request's URI");
        var age = clock.GetUtcNow() - DateTimeOffset.UnixEpoch.AddSeconds(iatJson.GetDouble());
        if (age.Duration() > window) return Invalid($"the DPoP proof's iat is more than {window.TotalSeconds:0} s away from the server's clock");
        if (proof.AccessToken is not null && !string.Equals(Text(payload, "ath"), AccessTokenHash(proof.AccessToken), StringComparison.Ordinal))
            return Invalid("the DPoP proof's ath is not the hash of the access token sent with it");

        // (10) the nonce: the one failure a client may answer by retrying, so it is reported apart.
        if (proof.Nonce is not null && !string.Equals(Text(payload, "nonce"), proof.Nonce, StringComparison.Ordinal))
            return new DpopProofResult.Invalid("use_dpop_nonce",
                payload.TryGetProperty("nonce", out _) ? "the DPoP proof's nonce is not the current one" : "the server requires a nonce in the DPoP proof");

        // §11.1: "HTTP requests to the same URI for which the jti value has been seen before would be declined."
        if (!Remember($"{target} {jti}")) return Invalid("the DPoP proof's jti was seen before (replay)");

        return new DpopProofResult.Valid(Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint()));
    }

    /// <summary>RFC 9449 §4.2: <c>ath</c> is the base64url SHA-256 of the ASCII access token.</summary>
    public static string AccessTokenHash(string accessToken) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));

    /// <summary>
    /// RFC 9449 §4.3 (9) with the syntax- and scheme-based normalisation it recommends (RFC 3986 §6.2.2 and §6.2.3):
    /// scheme and host compared without case, default ports made explicit, dot segments removed, query and fragment ignored.
    /// </summary>
    private static bool SameTarget(string htu, Uri url, out string target)
    {
        target = Normalize(url);
        return Uri.TryCreate(htu, UriKind.Absolute, out var claimed)
            && (claimed.Scheme == Uri.UriSchemeHttp || claimed.Scheme == Uri.UriSchemeHttps)
            && string.Equals(Normalize(claimed), target, StringComparison.Ordinal);
    }

    private static string Normalize(Uri uri) =>
        $"{uri.Scheme.ToLowerInvariant()}://{uri.IdnHost.ToLowerInvariant()}:{uri.Port}{uri.GetComponents(UriComponents.Path | UriComponents.KeepDelimiter, UriFormat.UriEscaped)}";

    /// <summary>Records a jti for twice the window (a proof from the future is accepted up to the window too); false if it is there already.</summary>
    private bool Remember(string key)
    {
        var now = clock.GetUtcNow();
        if (_seen.Count > 1024)
            foreach (var (old, until) in _seen)
                if (until < now) _seen.TryRemove(old, out _);
        var expires = now + window + window;
        while (true)
        {
            if (_seen.TryAdd(key, expires)) return true;
            if (!_seen.TryGetValue(key, out var until)) continue;
            if (until >= now) return false;
            if (_seen.TryUpdate(key, expires, until)) return true;
        }
    }

    private static string? Text(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DpopProofResult.Invalid Invalid(string description) => new("invalid_dpop_proof", description);
}
