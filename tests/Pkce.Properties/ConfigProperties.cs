namespace Pkce.Properties;

public class ConfigProperties
{
    /// <summary>A fault that can be planted into valid settings, and the word its report must contain.</summary>
    private sealed record Fault(string Name, Func<PkceSettings, PkceSettings> Plant, string Reported);

    private static readonly Fault[] Faults =
    [
        new("missing client id", s => s with { ClientId = null }, "client id is missing"),
        new("relative redirect", s => s with { RedirectUri = "/callback" }, "redirect URI '/callback' is not an absolute URI"),
        new("http token endpoint", s => s with { TokenEndpoint = "http://as.example/token" }, "token endpoint 'http://as.example/token' uses http"),
        new("relative authorization endpoint", s => s with { AuthorizationEndpoint = "authorize" }, "authorization endpoint 'authorize' is not an absolute"),
        new("bad scope", s => s with { Scope = "read \"quoted\" write\\" }, "scope token(s)"),
        new("secret without method", s => s with { Authentication = ClientAuthentication.ClientSecretPost }, "needs a client secret"),
        new("issuer with query", s => s with { ExpectedIssuer = "https://as.example/?tenant=1" }, "has a query"),
        new("zero timeout", s => s with { Timeout = TimeSpan.Zero }, "timeout must be positive"),
        new("negative lifetime", s => s with { PendingLifetime = TimeSpan.FromMinutes(-1) }, "pending lifetime must be positive"),
    ];

    // The fragment fault shares the redirect URI with another fault; it is checked on its own below.
    private static readonly Arbitrary<Fault[]> FaultSets = Gen.SubListOf(Faults).Select(l => l.ToArray()).ToArbitrary();

    [Property]
    public Property ValidationReportsEveryInjectedFault() =>
        Prop.ForAll(FaultSets, faults =>
        {
            var settings = faults.Aggregate(Support.ValidSettings, (s, f) => f.Plant(s));
            var result = Config.Validate(settings);
            if (faults.Length == 0) return result.IsRight;
            var problems = ((PkceError.InvalidConfiguration)Support.Left(result)).Problems;
            return problems.Count == faults.Length && faults.All(f => problems.Exists(p => p.Contains(f.Reported)));
        });

    [Fact]
    public void RedirectUriWithFragmentIsRefused()
    {
        var error = Support.Left(Config.Validate(Support.ValidSettings with { RedirectUri = "https://app.example/cb#x" }));
        Assert.Contains("has a fragment", error.Message);
    }

    [Fact]
    public void RootUrlAndPathsBuildTheEndpointsLikeTheSeed()
    {
        foreach (var root in new[] { "https://gitlab.com/oauth/", "https://gitlab.com/oauth" })
        {
            var config = Support.Config(Support.ValidSettings with { AuthorizationEndpoint = null, TokenEndpoint = null, RootUrl = root });
            Assert.Equal("https://gitlab.com/oauth/authorize", config.Server.AuthorizationEndpoint.AbsoluteUri);
            Assert.Equal("https://gitlab.com/oauth/token", config.Server.TokenEndpoint.AbsoluteUri);
        }
    }

    [Fact]
    public void MissingEndpointsAndRootAreBothReported()
    {
        var error = (PkceError.InvalidConfiguration)Support.Left(Config.Validate(new PkceSettings()));
        Assert.Equal(4, error.Problems.Count); // client id, redirect URI, two endpoints
    }

    [Fact]
    public void LoopbackHttpEndpointsAreAccepted()
    {
        var config = Support.Config(Support.ValidSettings with { TokenEndpoint = "http://127.0.0.1:5000/token", AuthorizationEndpoint = "http://[::1]:5000/authorize" });
        Assert.Equal("http", config.Server.TokenEndpoint.Scheme);
    }

    [Fact]
    public void AuthenticationDefaultsFollowTheSecret()
    {
        Assert.Equal(ClientAuthentication.None, Support.Config().Client.Authentication);
        Assert.Equal(ClientAuthentication.ClientSecretBasic, Support.Config(Support.ValidSettings with { ClientSecret = "s3cret" }).Client.Authentication);
    }

    [Fact]
    public void SettingsAndConfigNeverPrintTheSecret()
    {
        var settings = Support.ValidSettings with { ClientSecret = "s3cret-value" };
        Assert.DoesNotContain("s3cret-value", settings.ToString());
        Assert.DoesNotContain("s3cret-value", Support.Config(settings).ToString());
    }

    [Theory]
    [InlineData("//evil.example/token", "resolves to 'https://evil.example/token', outside the root URL")]
    [InlineData("../../token", "outside the root URL")]
    [InlineData("https://evil.example/token", "is not a relative path")]
    public void EndpointPathsStayUnderTheRootUrl(string path, string reported)
    {
        var settings = Support.ValidSettings with { AuthorizationEndpoint = null, TokenEndpoint = null, RootUrl = "https://as.example/oauth/", TokenPath = path };
        var error = Assert.IsType<PkceError.InvalidConfiguration>(Support.Left(Config.Validate(settings)));
        Assert.Contains(error.Problems, p => p.Contains(reported));
    }

    [Theory]
    [InlineData("token", "https://as.example/oauth/token")]
    [InlineData("v2/token?x=1", "https://as.example/oauth/v2/token?x=1")]
    public void RelativeEndpointPathsResolveUnderTheRootUrl(string path, string endpoint)
    {
        var settings = Support.ValidSettings with { AuthorizationEndpoint = null, TokenEndpoint = null, RootUrl = "https://as.example/oauth", TokenPath = path };
        Assert.Equal(endpoint, Support.Right(Config.Validate(settings)).Server.TokenEndpoint.AbsoluteUri);
    }

    [Theory]
    [InlineData("http://app.example/callback", false)]
    [InlineData("http://10.0.0.1:8000/callback", false)]
    [InlineData("http://127.0.0.1:8000/callback", true)]
    [InlineData("http://[::1]:8000/callback", true)]
    [InlineData("https://app.example/callback", true)]
    [InlineData("com.example.app:/callback", true)]
    public void PlainHttpRedirectUrisAreAcceptedOnLoopbackOnly(string redirectUri, bool accepted) =>
        Assert.Equal(accepted, Config.Validate(Support.ValidSettings with { RedirectUri = redirectUri }).IsRight);

    /// <summary>
    /// RFC 7009 §2: "Clients MUST verify that the URL is an HTTPS URL"; RFC 6749 §10.8 for the pushed request, which
    /// carries the client's credentials. Plain http is tolerated on loopback only, as for every endpoint.
    /// </summary>
    [Theory]
    [InlineData("http://as.example/revoke", null, "revocation endpoint 'http://as.example/revoke' uses http")]
    [InlineData(null, "http://as.example/par", "pushed authorization request endpoint 'http://as.example/par' uses http")]
    [InlineData("http://127.0.0.1:5000/revoke", "http://[::1]:5000/par", null)]
    public void AnHttpRevocationOrPushEndpointOffLoopbackIsRefused(string? revocation, string? par, string? reported)
    {
        var result = Config.Validate(Support.ValidSettings with { RevocationEndpoint = revocation, PushedAuthorizationRequestEndpoint = par });
        if (reported is null) Assert.True(result.IsRight);
        else Assert.Contains(((PkceError.InvalidConfiguration)Support.Left(result)).Problems, p => p.Contains(reported));
    }
}
