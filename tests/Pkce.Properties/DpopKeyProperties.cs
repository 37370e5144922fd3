using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Pkce.Properties.Arbitraries;

namespace Pkce.Properties;

public class DpopKeyProperties
{
    private static readonly Arbitrary<string> Algorithms = Gen.Elements(Dpop.Algorithms).ToArbitrary();

    private static bool IsInvalidValue(Either<PkceError, DpopKey> imported) =>
        imported.Match(key => { key.Dispose(); return false; }, error => error is PkceError.InvalidValue);

    /// <summary>The RFC 7638 §3.2 input, built here from the key's public parameters, not from <see cref="DpopKey.PublicJwk"/>.</summary>
    private static string RequiredMembers(DpopKey key, byte[] pkcs8)
    {
        if (key.Algorithm == "ES256")
        {
            using var ec = ECDsa.Create();
            ec.ImportPkcs8PrivateKey(pkcs8, out _);
            var q = ec.ExportParameters(false).Q;
            return $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{Base64Url.EncodeToString(q.X)}\",\"y\":\"{Base64Url.EncodeToString(q.Y)}\"}}";
        }
        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        var p = rsa.ExportParameters(false);
        return $"{{\"e\":\"{Base64Url.EncodeToString(p.Exponent)}\",\"kty\":\"RSA\",\"n\":\"{Base64Url.EncodeToString(p.Modulus)}\"}}";
    }

    [Fact]
    public void Rfc7638Section31ExampleThumbprint()
    {
        // RFC 7638 §3.1: the RSA key of RFC 7517 Appendix A.1 has the thumbprint below (its "alg" and "kid" are not hashed).
        const string n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        using var key = DpopKey.From("RS256", RSA.Create(new RSAParameters { Modulus = Base64Url.DecodeFromChars(n), Exponent = Base64Url.DecodeFromChars("AQAB") }));
        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", key.Thumbprint);
        Assert.Equal($"{{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"{n}\"}}", key.PublicJwk);
    }

    [Fact]
    public void Rfc9449ExampleKeyThumbprint()
    {
        // RFC 9449 §6.1: the P-256 key of the §4.1 example proof is bound as "jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I".
        using var key = DpopKey.From("ES256", ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint
            {
                X = Base64Url.DecodeFromChars("l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs"),
                Y = Base64Url.DecodeFromChars("9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA"),
            },
        }));
        Assert.Equal("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I", key.Thumbprint);
    }

    [Property(MaxTest = 20)]
    public Property ThumbprintIsBase64UrlSha256OfTheRequiredMembersInOrder() =>
        Prop.ForAll(Gen.Elements(Dpop.Keys).ToArbitrary(), key =>
            key.Thumbprint == Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(RequiredMembers(key, key.Export()))))
            && key.PublicJwk == RequiredMembers(key, key.Export()));

    [Property(MaxTest = 12)]
    public Property ExportThenImportKeepsTheThumbprint() =>
        Prop.ForAll(Algorithms, algorithm =>
        {
            using var key = Support.Right(DpopKey.Generate(algorithm));
            using var imported = Support.Right(DpopKey.Import(algorithm, key.Export()));
            return imported.Algorithm == algorithm && imported.Thumbprint == key.Thumbprint && imported.PublicJwk == key.PublicJwk;
        });

    [Property(MaxTest = 1000)]
    public Property ImportRefusesBytesThatAreNotAKey() =>
        Prop.ForAll(Algorithms, ArbMap.Default.ArbFor<byte[]>(), (algorithm, bytes) => IsInvalidValue(DpopKey.Import(algorithm, bytes)));

    [Property(MaxTest = 300)]
    public Property ImportRefusesATruncatedKey() =>
        Prop.ForAll(Gen.Elements(Dpop.Keys).ToArbitrary(), Gen.Choose(0, 10_000).ToArbitrary(), (key, at) =>
        {
            var pkcs8 = key.Export();
            return IsInvalidValue(DpopKey.Import(key.Algorithm, pkcs8[..(at % pkcs8.Length)]));
        });

    [Property(MaxTest = 100)]
    public Property ImportRefusesBytesAfterTheKey() =>
        Prop.ForAll(Gen.Elements(Dpop.Keys).ToArbitrary(), ArbMap.Default.ArbFor<byte[]>().Filter(b => b.Length > 0), (key, extra) =>
            IsInvalidValue(DpopKey.Import(key.Algorithm, [.. key.Export(), .. extra])));

    [Property(MaxTest = 500)]
    public Property ImportOfADamagedKeyIsAKeyOrInvalidValue() =>
        Prop.ForAll(Gen.Elements(Dpop.Keys).ToArbitrary(), Gen.Choose(0, 10_000).ToArbitrary(), Gen.Choose(1, 255).ToArbitrary(), (key, at, flip) =>
        {
            var pkcs8 = key.Export();
            pkcs8[at % pkcs8.Length] ^= (byte)flip;
            return DpopKey.Import(key.Algorithm, pkcs8).Match(k => { k.Dispose(); return true; }, error => error is PkceError.InvalidValue);
        });

    [Fact]
    public void ImportRefusesAKeyOfTheWrongKindOrSize()
    {
        using var rsa2048 = RSA.Create(2048);
        using var rsa1024 = RSA.Create(1024);
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.True(IsInvalidValue(DpopKey.Import("ES256", rsa2048.ExportPkcs8PrivateKey())), "an RSA key for ES256");
        Assert.True(IsInvalidValue(DpopKey.Import("ES256", p384.ExportPkcs8PrivateKey())), "a P-384 key for ES256");
        Assert.True(IsInvalidValue(DpopKey.Import("RS256", rsa1024.ExportPkcs8PrivateKey())), "a 1024-bit RSA key for RS256");
        Assert.True(IsInvalidValue(DpopKey.Import("PS256", rsa1024.ExportPkcs8PrivateKey())), "a 1024-bit RSA key for PS256");
        Assert.True(IsInvalidValue(DpopKey.Import("RS256", p256.ExportPkcs8PrivateKey())), "an EC key for RS256");
        Assert.True(IsInvalidValue(DpopKey.Import("HS256", p256.ExportPkcs8PrivateKey())), "an algorithm DPoP keys do not have");
        Assert.True(IsInvalidValue(DpopKey.Import("es256", p256.ExportPkcs8PrivateKey())), "algorithm names are case-sensitive (RFC 7515 §4.1.1)");
    }

    [Fact]
    public void ImportRefusesAP256KeyWithExplicitCurveParameters()
    {
        // RFC 5480 §2.1.1: "specifiedCurve ... MUST NOT be used"; a key that spells its curve out is not one Export makes.
        using var named = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var explicitCurve = ECDsa.Create(named.ExportExplicitParameters(true));
        Assert.True(IsInvalidValue(DpopKey.Import("ES256", explicitCurve.ExportPkcs8PrivateKey())));
    }

    [Property(MaxTest = 50)]
    public Property ToStringNeverShowsThePrivateKey() =>
        Prop.ForAll(Gen.Frequency((3, Gen.Elements(Dpop.Keys)), (1, Gen.Fresh(() => Support.Right(DpopKey.Generate())))).ToArbitrary(), key =>
        {
            var pkcs8 = key.Export();
            var secrets = new List<string> { Convert.ToBase64String(pkcs8), Base64Url.EncodeToString(pkcs8), Convert.ToHexString(pkcs8) };
            using (var ec = key.Algorithm == "ES256" ? ECDsa.Create() : null)
            using (var rsa = key.Algorithm == "ES256" ? null : RSA.Create())
            {
                if (ec is not null)
                {
                    ec.ImportPkcs8PrivateKey(pkcs8, out _);
                    secrets.Add(Base64Url.EncodeToString(ec.ExportParameters(true).D));
                }
                else
                {
                    rsa!.ImportPkcs8PrivateKey(pkcs8, out _);
                    var p = rsa.ExportParameters(true);
                    secrets.AddRange(new[] { p.D, p.P, p.Q, p.DP, p.DQ, p.InverseQ }.Select(b => Base64Url.EncodeToString(b)));
                }
            }
            // No run of 12 characters of any of them: not the whole, and not a piece either.
            var pieces = secrets.SelectMany(s => Enumerable.Range(0, s.Length - 11).Select(i => s.Substring(i, 12))).ToHashSet();
            return new[] { key.ToString(), new DpopBinding(key).ToString() }.All(printed =>
                printed.Contains(key.Thumbprint) && !pieces.Any(printed.Contains));
        });

    /// <summary>
    /// RFC 9449 §11.6: "only asymmetric digital signature algorithms (such as ES256) that are deemed secure can be
    /// used ... the algorithm none MUST NOT be allowed": a key is made for ES256, RS256 and PS256, and nothing else.
    /// </summary>
    [Theory]
    [InlineData("ES256", true)]
    [InlineData("RS256", true)]
    [InlineData("PS256", true)]
    [InlineData("none", false)]
    [InlineData("HS256", false)]
    [InlineData("es256", false)]
    [InlineData("ES384", false)]
    public void OnlyAsymmetricAlgorithmsMakeKeys(string algorithm, bool made)
    {
        var key = DpopKey.Generate(algorithm);
        Assert.Equal(made, key.IsRight);
        if (!made) Assert.True(IsInvalidValue(key));
        key.IfRight(k => k.Dispose());
    }
}
