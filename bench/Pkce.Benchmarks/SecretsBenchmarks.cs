using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Duende.IdentityModel;

namespace Pkce.Benchmarks;

/// <summary>State + verifier + S256 challenge, as three strings.</summary>
[MemoryDiagnoser]
public class SecretsBenchmarks
{
    [Benchmark(Baseline = true, Description = "floor: RandomNumberGenerator + SHA256 + Base64Url on spans")]
    public (string, string, string) Floor()
    {
        Span<byte> random = stackalloc byte[64];
        RandomNumberGenerator.Fill(random);
        var state = Base64Url.EncodeToString(random[..32]);
        var verifier = Base64Url.EncodeToString(random[32..]);
        Span<byte> ascii = stackalloc byte[43];
        Encoding.ASCII.GetBytes(verifier, ascii);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(ascii, digest);
        return (state, verifier, Base64Url.EncodeToString(digest));
    }

    [Benchmark(Description = "Pkce: Secrets.Generate")]
    public FlowSecrets Ours() => Secrets.Generate();

    [Benchmark(Description = "Duende-style: CryptoRandom.CreateUniqueId + SHA256")]
    public (string, string, string) Duende()
    {
        var state = CryptoRandom.CreateUniqueId(32);
        var verifier = CryptoRandom.CreateUniqueId(32);
        var challenge = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        return (state, verifier, challenge);
    }
}
