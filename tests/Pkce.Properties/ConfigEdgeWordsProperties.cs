namespace Pkce.Properties;

/// <summary>
/// The edges of <see cref="Config.Validate"/>'s rules: every boundary character of RFC 6749 §3.3's scope set, no
/// scope when none is set, an endpoint path that changes host or user info under a root of "/", and the words for a
/// bad root URL and a bad issuer.
/// </summary>
public class ConfigEdgeWordsProperties
{
    private static Seq<string> Problems(PkceSettings settings) =>
        Assert.IsType<PkceError.InvalidConfiguration>(Support.Left(Config.Validate(settings))).Problems;

    [Fact]
    public void EveryBoundaryOfTheScopeSetIsAcceptedAndItsGapsRefused()
    {
        Assert.Equal(Some("! # [ ] ~ a"), Support.Config(Support.ValidSettings with { Scope = "! # [ ] ~ a" }).Client.Scope);
        foreach (var bad in new[] { "\u0020x\u0022", "\u005C", "\u007F", "\u0019", "\u00E9" })
            Assert.True(Config.Validate(Support.ValidSettings with { Scope = bad }).IsLeft, bad);
    }

    [Fact]
    public void NoScopeSetMeansNoScope() =>
        Assert.True(Support.Config(Support.ValidSettings with { Scope = null }).Client.Scope.IsNone);

    [Theory]
    [InlineData("//evil.example/token", "token endpoint path '//evil.example/token' resolves to 'https://evil.example/token', outside the root URL 'https://as.example/'")]
    [InlineData("//user@as.example/token", "token endpoint path '//user@as.example/token' resolves to 'https://user@as.example/token', outside the root URL 'https://as.example/'")]
    [InlineData("//as.example:444/token", "token endpoint path '//as.example:444/token' resolves to 'https://as.example:444/token', outside the root URL 'https://as.example/'")]
    public void APathThatLeavesTheRootsServerIsRefusedEvenUnderSlash(string path, string problem) =>
        Assert.Equal(Seq1(problem), Problems(Support.ValidSettings with { TokenEndpoint = null, RootUrl = "https://as.example", TokenPath = path }));

    [Fact]
    public void APathOnTheRootsServerIsAcceptedUnderSlash() =>
        Assert.Equal("https://as.example/token",
            Support.Config(Support.ValidSettings with { TokenEndpoint = null, RootUrl = "https://as.example", TokenPath = "//as.example/token" }).Server.TokenEndpoint.AbsoluteUri);

    [Fact]
    public void ABadRootUrlIsReportedAsTheRootUrl() =>
        Assert.Equal(Seq1("root URL 'ftp://as.example/' is not an absolute http(s) URL"),
            Problems(Support.ValidSettings with { TokenEndpoint = null, RootUrl = "ftp://as.example/" }));

    [Fact]
    public void AnHttpIssuerIsReportedAsTheIssuer() =>
        Assert.Equal(Seq1("issuer 'http://as.example' uses http on a non-loopback host; use https"),
            Problems(Support.ValidSettings with { ExpectedIssuer = "http://as.example" }));
}
