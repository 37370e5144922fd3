using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static LanguageExt.Prelude;

namespace Pkce.Benchmarks;

/// <summary>
/// One ES256 DPoP proof for a token request (RFC 9449 §4): ours beside the floor, a bare P1363 signature over an input
/// of the proof's signing-input length, and beside Microsoft.IdentityModel.JsonWebTokens making the same JWS (header
/// typ, alg and the public jwk; payload jti, htm, htu, iat) with the same key. Each makes a fresh jti and reads the clock.
/// </summary>
[MemoryDiagnoser]
public class DpopProofBenchmarks
{
    private static readonly Uri Target = new("https://as.example/token");
    private DpopKey _key = null!;
    private ECDsa _floorKey = null!;
    private byte[] _input = null!;
    private JsonWebTokenHandler _handler = null!;
    private SigningCredentials _credentials = null!;
    private Dictionary<string, object> _jwk = null!;

    [GlobalSetup]
    public void Setup()
    {
        _key = DpopKey.Generate("ES256").IfLeft(e => throw new InvalidOperationException(e.ToString()));
        var proof = Ours();
        _input = RandomNumberGenerator.GetBytes(proof.LastIndexOf('.'));
        _floorKey = ECDsa.Create();
        _floorKey.ImportPkcs8PrivateKey(_key.Export(), out _);
        var joseKey = ECDsa.Create();
        joseKey.ImportPkcs8PrivateKey(_key.Export(), out _);
        _credentials = new SigningCredentials(new ECDsaSecurityKey(joseKey), SecurityAlgorithms.EcdsaSha256);
        _jwk = JsonSerializer.Deserialize<Dictionary<string, string>>(_key.PublicJwk)!.ToDictionary(m => m.Key, m => (object)m.Value);
        _handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        // The peer must make the same proof: the same header members, and a signature the public key verifies.
        var jose = Jose();
        var header = JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(jose.Split('.')[0])).RootElement;
        var members = string.Join(",", header.EnumerateObject().Select(m => m.Name).Order());
        if (members != "alg,jwk,typ" || header.GetProperty("typ").GetString() != DpopProof.Type || header.GetProperty("jwk").GetRawText().Length == 0)
            throw new InvalidOperationException("the JOSE library's header is " + header.GetRawText());
        if (!_floorKey.VerifyData(Encoding.ASCII.GetBytes(jose[..jose.LastIndexOf('.')]), Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(jose[(jose.LastIndexOf('.') + 1)..]),
                HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            throw new InvalidOperationException("the JOSE library's signature does not verify");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _key.Dispose();
        _floorKey.Dispose();
    }

    [Benchmark(Baseline = true, Description = "floor: ECDsa.SignData (P1363) of an input of the proof's length")]
    public byte[] Floor() => _floorKey.SignData(_input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Benchmark(Description = "Pkce: DpopProof.Create")]
    public string Ours() => DpopProof.Create(_key, "POST", Target, DateTimeOffset.UtcNow, DpopProof.NewJti(Secrets.SystemRandom), None, None);

    [Benchmark(Description = "Microsoft.IdentityModel.JsonWebTokens: JsonWebTokenHandler.CreateToken")]
    public string Jose() => _handler.CreateToken(new SecurityTokenDescriptor
    {
        SigningCredentials = _credentials,
        AdditionalHeaderClaims = new Dictionary<string, object> { ["typ"] = DpopProof.Type, ["jwk"] = _jwk },
        Claims = new Dictionary<string, object>
        {
            ["jti"] = DpopProof.NewJti(Secrets.SystemRandom), ["htm"] = "POST", ["htu"] = DpopProof.Htu(Target), ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        },
    });
}
