namespace Pkce.Properties;

/// <summary>
/// Each constrained value refuses in words that name the value and the rule it broke, compares by value and never
/// equals null; the base64url alphabet of a challenge is exactly RFC 4648 §5's; a user key is at most 1024 characters.
/// </summary>
public class ValueRefusalWordsProperties
{
    public static TheoryData<Func<Either<PkceError, string>>, string> Refusals => new()
    {
        { () => CodeVerifier.From(null).Map(v => v.Value), "invalid code verifier: missing" },
        { () => CodeVerifier.From(new string('a', 42)).Map(v => v.Value), "invalid code verifier: length 42 is outside 43..128" },
        { () => CodeVerifier.From(new string('a', 42) + "+").Map(v => v.Value), "invalid code verifier: contains a character outside [A-Z] [a-z] [0-9] - . _ ~" },
        { () => CodeChallenge.From(new string('a', 44)).Map(v => v.Value), "invalid code challenge: length 44 is outside 43..43" },
        { () => CodeChallenge.From(new string('a', 42) + ".").Map(v => v.Value), "invalid code challenge: contains a character outside the base64url alphabet" },
        { () => State.From("").Map(v => v.Value), "invalid state: length 0 is outside 1..512" },
        { () => State.From("a\u007F").Map(v => v.Value), "invalid state: contains a character outside VSCHAR (%x20-7E)" },
        { () => AuthorizationCode.From(null).Map(v => v.Value), "invalid authorization code: missing" },
        { () => AuthorizationCode.From("\u0080").Map(v => v.Value), "invalid authorization code: contains a character outside VSCHAR (%x20-7E)" },
        { () => UserKey.From("").Map(v => v.Value), "invalid user key: missing" },
        { () => UserKey.From(new string('u', 1025)).Map(v => v.Value), "invalid user key: length 1025 exceeds 1024" },
        { () => QueryString.Encode("a\uD800"), "invalid query parameter: contains a lone UTF-16 surrogate" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void EachRefusalNamesTheValueAndTheRule(Func<Either<PkceError, string>> refusal, string message) =>
        Assert.Equal(message, Assert.IsType<PkceError.InvalidValue>(Support.Left(refusal())).Message);

    [Fact]
    public void AUserKeyOf1024CharactersIsAccepted() =>
        Assert.Equal(1024, Support.Right(UserKey.From(new string('u', 1024))).Value.Length);

    [Fact]
    public void QueryEncodingRefusesLoneSurrogatesAnywhere()
    {
        foreach (var text in new[] { "\uD800", "a\uD800", "\uDC00a", "a\uDC00\uD800b", "\uDC00\uDC00", "\uD800\uD800" })
        {
            Assert.False(QueryString.IsWellFormed(text), text);
            Assert.True(QueryString.Encode(text).IsLeft);
        }
        Assert.True(QueryString.IsWellFormed("a\uD83D\uDE00"));
        Assert.Equal("a%F0%9F%98%80", Support.Right(QueryString.Encode("a\uD83D\uDE00")));
    }

    /// <summary>43 characters, one of them outside RFC 4648 §5's base64url alphabet, at every position.</summary>
    [Property]
    public Property AChallengeWithOneCharacterOutsideBase64UrlIsRefused() =>
        Prop.ForAll(Gen.Choose(0, 42).ToArbitrary(), Gen.Elements(".~+/=!@ %\u00C0\u0660".ToCharArray()).ToArbitrary(), (at, bad) =>
        {
            var text = new string('A', at) + bad + new string('z', 42 - at);
            return CodeChallenge.From(text).IsLeft && CodeChallenge.From(text.Replace(bad, '-')).IsRight;
        });

    [Fact]
    public void EveryBase64UrlCharacterIsAcceptedInAChallenge()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        foreach (var c in alphabet)
            Assert.True(CodeChallenge.From(new string(c, 43)).IsRight, c.ToString());
        foreach (var c in Enumerable.Range(0, 0x180).Select(i => (char)i).Where(c => !alphabet.Contains(c)))
            Assert.True(CodeChallenge.From(new string(c, 43)).IsLeft, ((int)c).ToString("X4"));
    }

    [Fact]
    public void ValuesEqualByValueAndNeverEqualNull()
    {
        var code = Support.Right(AuthorizationCode.From("code-1"));
        Assert.True(code.Equals(Support.Right(AuthorizationCode.From("code-1"))));
        Assert.False(code.Equals(Support.Right(AuthorizationCode.From("code-2"))));
        Assert.False(code.Equals((AuthorizationCode?)null));
        Assert.False(code.Equals((object?)null));
        var verifier = Support.Right(CodeVerifier.From(new string('v', 43)));
        Assert.True(verifier.Equals(Support.Right(CodeVerifier.From(new string('v', 43)))));
        Assert.False(verifier.Equals(Support.Right(CodeVerifier.From(new string('w', 43)))));
        Assert.False(verifier.Equals((CodeVerifier?)null));
        var state = Support.Right(State.From("s"));
        Assert.True(state.Equals(Support.Right(State.From("s"))));
        Assert.False(state.Equals(Support.Right(State.From("t"))));
        Assert.False(state.Equals((State?)null));
        var challenge = Support.Right(CodeChallenge.From(new string('c', 43)));
        Assert.False(challenge.Equals((CodeChallenge?)null));
    }
}
