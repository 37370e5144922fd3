namespace Pkce.Properties;

/// <summary>
/// RFC 9207 §2.4: "the client MUST ... compare the issuer identifier ... using simple string comparison" and "MUST
/// reject the response if the values do not match". No case folding and no normalisation: an <c>iss</c> that differs
/// from the expected issuer only in letter case or a trailing slash is a mismatch.
/// </summary>
public class IssuerComparisonIsExactProperties
{
    private const string Expected = "https://as.example";
    private static readonly UserKey Alice = Support.User("alice");
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static Either<PkceError, VerifiedCallback> VerifyWithIss(string iss)
    {
        var pending = Support.Pending(Support.Config(), Alice, Now);
        var callback = $"?code=c&state={Uri.EscapeDataString(pending.State.Value)}&iss={Uri.EscapeDataString(iss)}";
        return Callback.Parse(callback).Bind(r => Callback.Verify(r, pending, Alice, Now));
    }

    /// <summary>The expected issuer with some letters' case flipped (at least one), so never equal to it ordinally.</summary>
    private static Gen<string> CaseVariants =>
        Gen.ArrayOf(Gen.Elements(true, false), Expected.Length)
            .Where(flips => flips.Where((flip, i) => flip && char.IsAsciiLetter(Expected[i])).Any())
            .Select(flips => new string(Expected.Select((c, i) => flips[i] ? char.ToUpperInvariant(c) : c).ToArray()));

    [Property]
    public Property AnIssuerDifferingOnlyInCaseIsAMismatch() =>
        Prop.ForAll(CaseVariants.ToArbitrary(), iss =>
            Support.Left(VerifyWithIss(iss)) is PkceError.IssuerMismatch { Expected: Expected } mismatch && mismatch.Actual == iss);

    [Theory]
    [InlineData("https://as.example/")]
    [InlineData("https://AS.EXAMPLE")]
    [InlineData("HTTPS://as.example")]
    [InlineData("https://as.example:443")]
    [InlineData(" https://as.example")]
    public void NormalisedFormsOfTheIssuerAreMismatches(string iss) =>
        Assert.IsType<PkceError.IssuerMismatch>(Support.Left(VerifyWithIss(iss)));

    [Fact]
    public void TheExactIssuerMatches() => Assert.True(VerifyWithIss(Expected).IsRight);
}
