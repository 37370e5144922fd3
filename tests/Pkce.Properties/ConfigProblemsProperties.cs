namespace Pkce.Properties;

/// <summary>
/// Known answers for each problem <see cref="Config.Validate"/> reports, one faulty setting at a time over the valid
/// settings: the exact sentence, so a user reading it is told which setting and which rule.
/// </summary>
public class ConfigProblemsProperties
{
    public static TheoryData<string, Func<PkceSettings, PkceSettings>> Faults => new()
    {
        { "client id is missing", s => s with { ClientId = "" } },
        { "client id contains a character outside VSCHAR (%x20-7E)", s => s with { ClientId = "c\u0001" } },
        { "a client secret is set but client authentication is 'none'", s => s with { ClientSecret = "x", Authentication = ClientAuthentication.None } },
        { "client authentication ClientSecretPost needs a client secret", s => s with { Authentication = ClientAuthentication.ClientSecretPost } },
        { "redirect URI is missing", s => s with { RedirectUri = " " } },
        { "redirect URI '/cb' is not an absolute URI", s => s with { RedirectUri = "/cb" } },
        { "redirect URI 'https://a.example/#f' has a fragment", s => s with { RedirectUri = "https://a.example/#f" } },
        { "redirect URI 'http://a.example/cb' uses http on a non-loopback host; use https (RFC 6749 §3.1.2.1)", s => s with { RedirectUri = "http://a.example/cb" } },
        { "scope token(s) 'a\"b', 'c\\d' contain characters outside RFC 6749 §3.3 (%x21 / %x23-5B / %x5D-7E)", s => s with { Scope = "ok a\"b c\\d" } },
        { "token endpoint is missing (set it, or set the root URL)", s => s with { TokenEndpoint = null } },
        { "token endpoint 'ftp://as.example/t' is not an absolute http(s) URL", s => s with { TokenEndpoint = "ftp://as.example/t" } },
        { "token endpoint 'http://as.example/t' uses http on a non-loopback host; use https", s => s with { TokenEndpoint = "http://as.example/t" } },
        { "token endpoint 'https://as.example/t#x' has a fragment", s => s with { TokenEndpoint = "https://as.example/t#x" } },
        { "authorization endpoint's query names 'state', 'scope', which the library sets", s => s with { AuthorizationEndpoint = "https://as.example/a?state=1&scope=2&state=3&x=4" } },
        { "revocation endpoint 'nope' is not an absolute http(s) URL", s => s with { RevocationEndpoint = "nope" } },
        { "pushed authorization requests are required but no endpoint for them is set", s => s with { RequirePushedAuthorizationRequests = true } },
        { "pushed authorization requests are required by the server but turned off",
            s => s with { RequirePushedAuthorizationRequests = true, UsePushedAuthorizationRequests = false, PushedAuthorizationRequestEndpoint = "https://as.example/par" } },
        { "the issuer is said to always send iss, but no expected issuer is set", s => s with { ExpectedIssuer = null, IssuerAlwaysSent = true } },
        { "issuer 'https://as.example/?q=1' has a query", s => s with { ExpectedIssuer = "https://as.example/?q=1" } },
        { "timeout must be positive, not 00:00:00", s => s with { Timeout = TimeSpan.Zero } },
        { "pending lifetime must be positive, not -00:00:01", s => s with { PendingLifetime = TimeSpan.FromSeconds(-1) } },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public void EachFaultIsReportedInItsOwnWords(string problem, Func<PkceSettings, PkceSettings> fault)
    {
        var error = Assert.IsType<PkceError.InvalidConfiguration>(Support.Left(Config.Validate(fault(Support.ValidSettings))));
        Assert.Equal(Seq1(problem), error.Problems);
    }

    [Fact]
    public void PushedRequestsTurnedOffDropTheEndpoint()
    {
        var settings = Support.ValidSettings with { PushedAuthorizationRequestEndpoint = "https://as.example/par" };
        Assert.Equal(Some(new Uri("https://as.example/par")), Support.Config(settings).Server.PushedAuthorizationRequestEndpoint);
        Assert.True(Support.Config(settings with { UsePushedAuthorizationRequests = false }).Server.PushedAuthorizationRequestEndpoint.IsNone);
        Assert.True(Support.Config(settings with { RequirePushedAuthorizationRequests = true }).Server.RequirePushedAuthorizationRequests);
    }

    [Fact]
    public void ScopesAreNormalisedToSingleSpaces()
    {
        Assert.Equal(Some("a b"), Support.Config(Support.ValidSettings with { Scope = "  a   b " }).Client.Scope);
        Assert.True(Support.Config(Support.ValidSettings with { Scope = "   " }).Client.Scope.IsNone);
    }

    [Fact]
    public void NullSettingsAreAProgrammerError() => Assert.Throws<ArgumentNullException>(() => Config.Validate(null!));
}
