using System.Text.RegularExpressions;
using Pkce.Properties.Arbitraries;

namespace Pkce.Properties;

public class DpopNoncesProperties
{
    private static readonly Uri Token = new("https://as.example/token");

    /// <summary>RFC 9449 §8.1: <c>nonce = 1*NQCHAR</c>, <c>NQCHAR = %x21 / %x23-5B / %x5D-7E</c>; the store's own bound is 1024.</summary>
    private static bool IsNqcharString(string text) => Regex.IsMatch(text, @"^[\x21\x23-\x5B\x5D-\x7E]{1,1024}\z");

    /// <summary>Nonce-like text with the characters NQCHAR leaves out mixed in: '"', '\', space, controls, non-ASCII.</summary>
    private static readonly Arbitrary<string> Candidates = Gen.Frequency(
        (3, Dpop.Nonces),
        (3, Chars.StringOf(Gen.Frequency((8, Dpop.NqChar), (1, Gen.Elements('"', '\\', ' ', '\t', '\0', '\n', '\x7F', 'é', '\u3000'))), 0, 30)),
        (1, Gen.Elements("", new string('n', 1024), new string('n', 1025))),
        (1, Chars.StringOf(Chars.AnyChar, 0, 30))).ToArbitrary();

    [Property(MaxTest = 2000)]
    public Property OnlyNqcharStringsAreRemembered() =>
        Prop.ForAll(Candidates, candidate =>
        {
            var nonces = new DpopNonces();
            var kept = nonces.Remember(Token, candidate);
            return kept == IsNqcharString(candidate)
                && DpopNonces.IsNonce(candidate) == kept
                && nonces.For(Token) == (kept ? Some(candidate) : None);
        });

    [Fact]
    public void NullIsNotANonce() => Assert.False(new DpopNonces().Remember(Token, null));

    [Property(MaxTest = 1000)]
    public Property NoncesArePerOriginSchemeHostAndPort() =>
        Prop.ForAll(Dpop.Targets.ToArbitrary(), Dpop.Targets.ToArbitrary(), Dpop.Nonces.ToArbitrary(), (a, b, nonce) =>
        {
            var nonces = new DpopNonces();
            nonces.Remember(a.Uri, nonce);
            // Another path, query or fragment of the same origin shares the nonce; any other origin has none.
            var sameOrigin = new Uri(a.Uri, "/elsewhere/" + b.Uri.PathAndQuery.TrimStart('/'));
            return nonces.For(a.Uri) == Some(nonce)
                && nonces.For(sameOrigin) == Some(nonce)
                && nonces.For(new Uri(a.ExpectedOrigin.ToUpperInvariant() + "/x")) == Some(nonce)
                && nonces.For(b.Uri) == (a.ExpectedOrigin == b.ExpectedOrigin ? Some(nonce) : None);
        });

    [Fact]
    public void DefaultPortsAndCaseAreTheSameOrigin()
    {
        var nonces = new DpopNonces();
        nonces.Remember(new Uri("HTTPS://AS.Example:443/token"), "n1");
        Assert.Equal(Some("n1"), nonces.For(new Uri("https://as.example/par")));
        Assert.True(nonces.For(new Uri("https://as.example:8443/token")).IsNone);
        Assert.True(nonces.For(new Uri("http://as.example/token")).IsNone);
        Assert.True(nonces.For(new Uri("https://rs.as.example/token")).IsNone);
    }

    [Property(MaxTest = 1000)]
    public Property ALaterNonceReplacesTheEarlierAndAnInvalidOneChangesNothing() =>
        Prop.ForAll(Dpop.Targets.ToArbitrary(), Candidates.Generator.ListOf().ToArbitrary(), (target, candidates) =>
        {
            var nonces = new DpopNonces();
            Option<string> expected = None;
            foreach (var candidate in candidates)
            {
                if (nonces.Remember(target.Uri, candidate)) expected = candidate;
                if (nonces.For(target.Uri) != expected) return false;
            }
            var valid = candidates.Where(IsNqcharString).ToList();
            return nonces.For(target.Uri) == (valid.Count == 0 ? Option<string>.None : Some(valid[^1]));
        });
}
