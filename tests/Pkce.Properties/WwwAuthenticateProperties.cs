using Pkce.Properties.Arbitraries;
using static Pkce.Properties.Arbitraries.Challenges;

namespace Pkce.Properties;

public class WwwAuthenticateProperties
{
    private static string[] Parsed(string header) => [.. WwwAuthenticate.Parse(header).Map(Show)];

    private static string[] Expected(IEnumerable<Model> challenges) => [.. challenges.Select(c => c.Expected)];

    [Property(MaxTest = 2000)]
    public Property RenderedChallengesParseBackToTheSameList() =>
        Prop.ForAll(Many.ToArbitrary(), challenges =>
            Parsed(challenges.Render(Layout.Canonical)).SequenceEqual(Expected(challenges)));

    [Property(MaxTest = 2000)]
    public Property OptionalWhitespaceAroundSeparatorsChangesNothing() =>
        Prop.ForAll(Many.ToArbitrary(), Layouts.ToArbitrary(), (challenges, layout) =>
            Parsed(challenges.Render(layout)).SequenceEqual(Expected(challenges)));

    [Property(MaxTest = 5000)]
    public Property ArbitraryTextNeverThrowsAndGivesOnlyWellFormedChallenges() =>
        Prop.ForAll(Noise.ToArbitrary(), text =>
            WwwAuthenticate.Parse(text).ForAll(c =>
                c.Scheme.Length > 0 && c.Scheme.All(Tchars.Contains)
                && c.Parameters.ForAll(((string Key, string Value) p) => p.Key.Length > 0 && p.Key.All(Tchars.Contains) && p.Key == p.Key.ToLowerInvariant())
                && (c.Token68.IsNone || c.Parameters.IsEmpty)));

    [Property(MaxTest = 2000)]
    public Property NoiseAfterChallengesKeepsThoseBeforeIt() =>
        Prop.ForAll(Many.ToArbitrary(), Noise.ToArbitrary(), (challenges, noise) =>
        {
            // Noise may add parameters to the last challenge (it may read as "name=value"), never change those before it.
            var parsed = WwwAuthenticate.Parse(challenges.Render(Layout.Canonical) + ", " + noise);
            var last = challenges[^1];
            return parsed.Count >= challenges.Length
                && parsed.Take(challenges.Length - 1).Map(Show).SequenceEqual(Expected(challenges[..^1]))
                && parsed[challenges.Length - 1].Scheme == last.Scheme
                && last.Params.All(p => parsed[challenges.Length - 1].Parameters.ContainsKey(p.Name.ToLowerInvariant()))
                && (last.Token68 is null || parsed[challenges.Length - 1].Token68 == Some(last.Token68));
        });

    [Property(MaxTest = 2000)]
    public Property ATruncatedHeaderKeepsEveryChallengeThatEndedBeforeTheCut() =>
        Prop.ForAll(Many.ToArbitrary(), Gen.Choose(0, 10_000).ToArbitrary(), (challenges, at) =>
        {
            var header = challenges.Render(Layout.Canonical);
            var cut = at % (header.Length + 1);
            // A challenge is complete once the comma after it is in: render the first k and count the ones whose comma fits.
            var complete = Enumerable.Range(1, challenges.Length).Count(k => challenges[..k].Render(Layout.Canonical).Length < cut);
            var parsed = Parsed(header[..cut]);
            return parsed.Length >= complete && parsed.Take(complete).SequenceEqual(Expected(challenges[..complete]));
        });

    [Property]
    public Property SeveralHeaderValuesParseAsOneListInOrder() =>
        Prop.ForAll(Many.ToArbitrary(), Many.ToArbitrary(), (first, second) =>
            WwwAuthenticate.Parse([first.Render(Layout.Canonical), second.Render(Layout.Canonical)]).Map(Show).SequenceEqual(Expected([.. first, .. second])));

    [Fact]
    public void NullAndEmptyHaveNoChallenges()
    {
        Assert.Empty(WwwAuthenticate.Parse((string?)null));
        Assert.Empty(WwwAuthenticate.Parse(""));
        Assert.Empty(WwwAuthenticate.Parse(" , ,, "));
    }

    [Fact]
    public void Rfc9449Section7InvalidKeyBinding()
    {
        var challenge = Assert.Single(WwwAuthenticate.Parse("DPoP error=\"invalid_token\", error_description=\"Invalid DPoP key binding\", algs=\"ES256\""));
        Assert.Equal("DPoP", challenge.Scheme);
        Assert.Equal(HashMap(("error", "invalid_token"), ("error_description", "Invalid DPoP key binding"), ("algs", "ES256")), challenge.Parameters);
        Assert.True(challenge.Token68.IsNone);
        Assert.False(WwwAuthenticate.AsksForDpopNonce(Seq1(challenge)));
    }

    [Fact]
    public void Rfc9449Section9UseDpopNonce()
    {
        var challenges = WwwAuthenticate.Parse("DPoP error=\"use_dpop_nonce\", error_description=\"Resource server requires nonce in DPoP proof\"");
        var challenge = Assert.Single(challenges);
        Assert.Equal(HashMap(("error", "use_dpop_nonce"), ("error_description", "Resource server requires nonce in DPoP proof")), challenge.Parameters);
        Assert.True(WwwAuthenticate.AsksForDpopNonce(challenges));
    }

    [Fact]
    public void Rfc6750Section3ExpiredToken()
    {
        var challenge = Assert.Single(WwwAuthenticate.Parse("Bearer realm=\"example\", error=\"invalid_token\", error_description=\"The access token expired\""));
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Equal(HashMap(("realm", "example"), ("error", "invalid_token"), ("error_description", "The access token expired")), challenge.Parameters);
    }

    [Fact]
    public void TwoChallengesInOneHeader()
    {
        var challenges = WwwAuthenticate.Parse("Bearer realm=\"a\", DPoP algs=\"ES256 PS256\"");
        Assert.Equal(2, challenges.Count);
        Assert.Equal(("Bearer", HashMap(("realm", "a"))), (challenges[0].Scheme, challenges[0].Parameters));
        Assert.Equal(("DPoP", HashMap(("algs", "ES256 PS256"))), (challenges[1].Scheme, challenges[1].Parameters));
    }

    [Fact]
    public void Rfc9110Section11_6_1NewauthAndBasic()
    {
        // RFC 9110 §11.6.1: two challenges, a quoted-pair in a value, a token value, and a parameter named like a scheme's.
        var challenges = WwwAuthenticate.Parse("Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\"");
        Assert.Equal(2, challenges.Count);
        Assert.Equal(("Newauth", HashMap(("realm", "apps"), ("type", "1"), ("title", "Login to \"apps\""))), (challenges[0].Scheme, challenges[0].Parameters));
        Assert.Equal(("Basic", HashMap(("realm", "simple"))), (challenges[1].Scheme, challenges[1].Parameters));
    }

    [Fact]
    public void BasicToken68()
    {
        var challenge = Assert.Single(WwwAuthenticate.Parse("Basic YWxhZGRpbjpvcGVuc2VzYW1l"));
        Assert.Equal("Basic", challenge.Scheme);
        Assert.Equal(Some("YWxhZGRpbjpvcGVuc2VzYW1l"), challenge.Token68);
        Assert.True(challenge.Parameters.IsEmpty);
    }

    [Fact]
    public void OnlyADpopChallengeWithUseDpopNonceAsksForANonce()
    {
        Assert.False(WwwAuthenticate.AsksForDpopNonce(WwwAuthenticate.Parse("Bearer error=\"use_dpop_nonce\"")));
        Assert.False(WwwAuthenticate.AsksForDpopNonce(WwwAuthenticate.Parse("DPoP error=\"invalid_token\"")));
        Assert.False(WwwAuthenticate.AsksForDpopNonce(WwwAuthenticate.Parse("DPoP algs=\"ES256\"")));
        Assert.True(WwwAuthenticate.AsksForDpopNonce(WwwAuthenticate.Parse("dpop error=\"use_dpop_nonce\"")));
        Assert.True(WwwAuthenticate.AsksForDpopNonce(WwwAuthenticate.Parse("DPOP Error=use_dpop_nonce")));
        Assert.True(WwwAuthenticate.AsksForDpopNonce(WwwAuthenticate.Parse("Bearer realm=\"a\", DPoP error=\"use_dpop_nonce\", algs=\"ES256\"")));
    }
}
