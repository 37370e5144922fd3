namespace Pkce.Properties;

/// <summary>
/// What a proof is made for (RFC 9449 §4.2): every argument checked, in order, before anything is written; an
/// absolute target only; and the host as it goes on the wire, an internationalised name in its ASCII form and an IPv6
/// literal in its brackets.
/// </summary>
public class DpopProofArgumentsProperties
{
    private static readonly DpopKey Key = Support.Right(DpopKey.Generate());
    private static readonly Uri Target = new("https://as.example/token");

    private static string Create(DpopKey key, string method, Uri target, string jti) =>
        DpopProof.Create(key, method, target, DateTimeOffset.UnixEpoch, jti, None, None);

    [Fact]
    public void EachMissingArgumentIsRefusedBeforeTheNextOneIsLookedAt()
    {
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => Create(null!, "", null!, "")).ParamName);
        Assert.Equal("method", Assert.Throws<ArgumentNullException>(() => Create(Key, null!, null!, "")).ParamName);
        Assert.Equal("method", Assert.Throws<ArgumentException>(() => Create(Key, "", null!, "")).ParamName);
        Assert.Equal("target", Assert.Throws<ArgumentNullException>(() => Create(Key, "GET", null!, "")).ParamName);
        Assert.Equal("jti", Assert.Throws<ArgumentNullException>(() => Create(Key, "GET", Target, null!)).ParamName);
        Assert.Equal("jti", Assert.Throws<ArgumentException>(() => Create(Key, "GET", Target, "")).ParamName);
    }

    [Fact]
    public void HtuIsForAnAbsoluteTargetOnly()
    {
        Assert.Equal("target", Assert.Throws<ArgumentNullException>(() => DpopProof.Htu(null!)).ParamName);
        var relative = Assert.Throws<ArgumentException>(() => DpopProof.Htu(new Uri("/token", UriKind.Relative)));
        Assert.StartsWith("a DPoP proof is for an absolute URI", relative.Message);
        Assert.Equal("target", relative.ParamName);
    }

    [Theory]
    [InlineData("https://Bücher.Example/token", "https://xn--bcher-kva.example/token")]
    [InlineData("https://[::ABCD]:8443/token?q", "https://[::abcd]:8443/token")]
    [InlineData("http://[fe80::1%25eth0]/x", "http://[fe80::1]/x")]
    [InlineData("https://AS.example/token", "https://as.example/token")]
    public void HtuHasTheHostAsItGoesOnTheWire(string target, string htu) =>
        Assert.Equal(htu, DpopProof.Htu(new Uri(target)));
}
