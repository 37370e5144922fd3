using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Pkce.Properties.Arbitraries;

namespace Pkce.Properties;

public class SecretsProperties
{
    private static readonly Arbitrary<byte[]> Seeds = ArbMap.Default.ArbFor<byte[]>().Filter(b => b.Length > 0);

    [Property]
    public Property VerifiersAre43CharsOfTheUnreservedSet() =>
        Prop.ForAll(Seeds, seed =>
        {
            var verifier = Secrets.Generate(Support.Replay(seed)).Verifier.Value;
            return verifier.Length == 43 && verifier.All(c => Chars.Unreserved.Contains(c));
        });

    [Property]
    public Property ChallengeIsBase64UrlSha256OfVerifier() =>
        Prop.ForAll(Chars.StringOf(Gen.Elements(Chars.Unreserved.ToCharArray()), 43, 128).ToArbitrary(), text =>
        {
            var verifier = Support.Right(CodeVerifier.From(text));
            var expected = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(text)));
            return Challenge.S256(verifier).Value == expected;
        });

    [Property]
    public Property GeneratedChallengeMatchesGeneratedVerifier() =>
        Prop.ForAll(Seeds, seed =>
        {
            var secrets = Secrets.Generate(Support.Replay(seed));
            return secrets.Challenge.Equals(Challenge.S256(secrets.Verifier));
        });

    [Fact]
    public void Rfc7636AppendixBKnownAnswer()
    {
        // RFC 7636 Appendix B: the 32 octets, the verifier they encode to, and its S256 challenge.
        byte[] octets = [116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186,
                         22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121];
        var secrets = Secrets.Generate(Support.Replay(octets));
        Assert.Equal("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", secrets.Verifier.Value);
        Assert.Equal("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", secrets.Challenge.Value);
    }

    [Fact]
    public void VerifiersAndStatesNeverRepeat()
    {
        var seen = new System.Collections.Generic.HashSet<string>();
        for (var i = 0; i < 20_000; i++)
        {
            var s = Secrets.Generate();
            Assert.True(seen.Add(s.Verifier.Value), "verifier repeated");
            Assert.True(seen.Add(s.State.Value), "state repeated");
        }
    }

    [Property]
    public Property SecretsNeverPrintTheVerifier() =>
        Prop.ForAll(Seeds, seed =>
        {
            var secrets = Secrets.Generate(Support.Replay(seed));
            var printed = secrets.ToString();
            // A replayed seed can make state and verifier equal; the state is public, so only then may the text appear.
            return printed.Contains("Verifier = " + Redaction.Mark)
                && (secrets.State.Value == secrets.Verifier.Value || !printed.Contains(secrets.Verifier.Value));
        });
}
