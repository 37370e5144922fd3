using Pkce.Properties.Arbitraries;

namespace Pkce.Properties;

public class ValueProperties
{
    private static readonly Arbitrary<string> MostlyUnreserved =
        Chars.StringOf(Gen.Frequency((30, Gen.Elements(Chars.Unreserved.ToCharArray())), (1, Chars.AnyChar)), 0, 140).ToArbitrary();

    [Property]
    public Property CodeVerifierAcceptsExactlyRfc7636Section41() =>
        Prop.ForAll(MostlyUnreserved, text =>
            CodeVerifier.From(text).IsRight == (text.Length is >= 43 and <= 128 && text.All(c => Chars.Unreserved.Contains(c))));

    [Property]
    public Property CodeChallengeAcceptsExactly43Base64UrlChars() =>
        Prop.ForAll(MostlyUnreserved, text =>
            CodeChallenge.From(text).IsRight == (text.Length == 43 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')));

    [Property]
    public Property StateAndCodeAcceptExactlyVsChar() =>
        Prop.ForAll(Chars.StringOf(Chars.AnyChar, 0, 40).ToArbitrary(), text =>
        {
            var expected = text.Length > 0 && text.All(c => c is >= ' ' and <= '~');
            return State.From(text).IsRight == expected && AuthorizationCode.From(text).IsRight == expected;
        });

    [Property]
    public Property CodesNeverPrint() =>
        Prop.ForAll(Chars.StringOf(Chars.VsChar, 1, 40).ToArbitrary(), text =>
            Support.Right(AuthorizationCode.From(text)).ToString() == Redaction.Mark);

    [Fact]
    public void StateComparisonIsByValue()
    {
        Assert.True(Support.Right(State.From("abc")).FixedTimeEquals(Support.Right(State.From("abc"))));
        Assert.False(Support.Right(State.From("abc")).FixedTimeEquals(Support.Right(State.From("abd"))));
        Assert.False(Support.Right(State.From("abc")).FixedTimeEquals(Support.Right(State.From("abcd"))));
    }
}
