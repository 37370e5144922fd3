using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Pkce.Properties.Arbitraries;

namespace Pkce.Properties;

public class DpopProofProperties
{
    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi"];

    internal sealed record Request(DpopKey Key, string Method, Dpop.Target Target, DateTimeOffset IssuedAt, string Jti, Option<string> Nonce, Option<string> AccessToken)
    {
        public string Proof() => DpopProof.Create(Key, Method, Target.Uri, IssuedAt, Jti, Nonce, AccessToken);
    }

    private static readonly Arbitrary<Request> Requests =
        (from key in Dpop.AnyKey
         from method in Dpop.Methods
         from target in Dpop.Targets
         from seconds in Gen.Choose(0, int.MaxValue)
         from jti in Chars.StringOf(Chars.VsChar, 1, 40)
         from nonce in Dpop.Optional(Dpop.Nonces)
         from token in Dpop.Optional(Dpop.AccessTokens)
         select new Request(key, method, target, DateTimeOffset.FromUnixTimeSeconds(seconds), jti, nonce, token)).ToArbitrary();

    private static string? Text(JsonElement json, string name) => json.TryGetProperty(name, out var value) ? value.GetString() : null;

    [Property(MaxTest = 300)]
    public Property HeaderIsTypAlgAndThePublicJwkOnly() =>
        Prop.ForAll(Requests, request =>
        {
            var header = Jws.Read(request.Proof()).Header;
            var jwk = header.GetProperty("jwk");
            string[] publicMembers = request.Key.Algorithm == "ES256" ? ["crv", "kty", "x", "y"] : ["e", "kty", "n"];
            return Jws.Names(header).SequenceEqual(["alg", "jwk", "typ"])
                && Text(header, "typ") == "dpop+jwt"
                && Text(header, "alg") == request.Key.Algorithm
                && Jws.Names(jwk).SequenceEqual(publicMembers)
                && !PrivateMembers.Any(m => jwk.TryGetProperty(m, out _))
                && JsonSerializer.Serialize(jwk) == request.Key.PublicJwk;
        });

    [Property(MaxTest = 300)]
    public Property PayloadIsJtiHtmHtuIatWithAthExactlyForATokenAndNonceExactlyWhenGiven() =>
        Prop.ForAll(Requests, request =>
        {
            var payload = Jws.Read(request.Proof()).Payload;
            string[] expected = ["htm", "htu", "iat", "jti", .. request.AccessToken.IsSome ? ["ath"] : System.Array.Empty<string>(), .. request.Nonce.IsSome ? ["nonce"] : System.Array.Empty<string>()];
            var ath = request.AccessToken.Map(t => Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(t))));
            return Jws.Names(payload).SequenceEqual(expected.Order(StringComparer.Ordinal))
                && Text(payload, "jti") == request.Jti
                && Text(payload, "htm") == request.Method
                && Text(payload, "htu") == request.Target.ExpectedHtu
                && payload.GetProperty("iat").GetInt64() == request.IssuedAt.ToUnixTimeSeconds()
                && Optional(Text(payload, "ath")) == ath
                && Optional(Text(payload, "nonce")) == request.Nonce;
        });

    [Property(MaxTest = 300)]
    public Property SignatureVerifiesWithTheHeadersJwk() =>
        Prop.ForAll(Requests, request => Jws.Read(request.Proof()).Verifies());

    [Property(MaxTest = 100)]
    public Property ATamperedPayloadNoLongerVerifies() =>
        Prop.ForAll(Requests, Dpop.Methods.ToArbitrary(), (request, method) =>
        {
            var proof = request.Proof();
            var forged = request.Proof().Split('.')[0] + "." + (request with { Method = method + "x" }).Proof().Split('.')[1] + "." + proof.Split('.')[2];
            return !Jws.Read(forged).Verifies();
        });

    [Property(MaxTest = 2000)]
    public Property HtuIsSchemeHostNonDefaultPortAndPathLowercasedWithoutQueryOrFragment() =>
        Prop.ForAll(Dpop.Targets.ToArbitrary(), target =>
        {
            var htu = DpopProof.Htu(target.Uri);
            return !htu.Contains('?') && !htu.Contains('#') && htu == target.ExpectedHtu;
        });

    [Fact]
    public void HtuOfRfc9449ExampleTargets()
    {
        // RFC 9449 §4.1 (the token request) and §7.1 (the resource request), written with the case and ports a caller may use.
        Assert.Equal("https://server.example.com/token", DpopProof.Htu(new Uri("HTTPS://Server.Example.COM:443/token")));
        Assert.Equal("https://resource.example.org/protectedresource", DpopProof.Htu(new Uri("https://resource.example.org/protectedresource?x=1#f")));
        Assert.Equal("http://127.0.0.1:8080/", DpopProof.Htu(new Uri("http://127.0.0.1:8080")));
    }

    [Fact]
    public void AthOfRfc9449Section7Example()
    {
        // RFC 9449 §7.1: the access token "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU" gives ath "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo".
        Assert.Equal("fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo", DpopProof.Ath("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"));
    }

    [Fact]
    public void JtisFromTheSystemRandomNeverRepeat()
    {
        var seen = new System.Collections.Generic.HashSet<string>();
        for (var i = 0; i < 100_000; i++)
        {
            var jti = DpopProof.NewJti(Secrets.SystemRandom);
            Assert.Equal(22, jti.Length);
            Assert.True(seen.Add(jti), "jti repeated");
        }
    }

    [Property]
    public Property JtiIsTheRandomSourcesSixteenOctetsBase64Url() =>
        Prop.ForAll(Gen.Choose(0, 255).Select(i => (byte)i).ArrayOf(16).ToArbitrary(), octets =>
            DpopProof.NewJti(Support.Replay(octets)) == Base64Url.EncodeToString(octets)
            && DpopProof.NewJti(Support.Replay(octets)) == DpopProof.NewJti(Support.Replay(octets)));

    [Property(MaxTest = 100)]
    public Property TheSameRequestTwiceGetsTwoProofsWithDifferentJtis() =>
        Prop.ForAll(Requests, request =>
        {
            var binding = new DpopBinding(request.Key);
            request.Nonce.IfSome(n => binding.Nonces.Remember(request.Target.Uri, n));
            var clock = Support.Clock();
            var first = Jws.Read(binding.Proof(Secrets.SystemRandom, clock, request.Method, request.Target.Uri, request.AccessToken));
            var second = Jws.Read(binding.Proof(Secrets.SystemRandom, clock, request.Method, request.Target.Uri, request.AccessToken));
            return Text(first.Payload, "jti") != Text(second.Payload, "jti")
                && first.SigningInput.Split('.')[0] == second.SigningInput.Split('.')[0]
                && Jws.Names(first.Payload).SequenceEqual(Jws.Names(second.Payload))
                && Jws.Names(first.Payload).All(name => name == "jti" || first.Payload.GetProperty(name).GetRawText() == second.Payload.GetProperty(name).GetRawText());
        });
}
