using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace Pkce.Properties;

/// <summary>Discovery (RFC 8414 §3) and the metadata cache over an in-process server.</summary>
public class DiscoveryProperties
{
    private const string Issuer = "https://as.example/tenant";

    private static string Document(string issuer = Issuer, string extra = "") =>
        $$"""{"issuer":"{{issuer}}","authorization_endpoint":"https://as.example/authorize","token_endpoint":"https://as.example/token","code_challenge_methods_supported":["S256"]{{extra}}}""";

    private static Either<PkceError, ServerMetadata> Fetch(FakeServer server, string issuer = Issuer)
    {
        using var port = server.Port();
        return Support.Run(Discovery.Fetch(port, issuer, TimeSpan.FromSeconds(10), CancellationToken.None));
    }

    [Fact]
    public void TheOAuthLocationIsTriedFirst()
    {
        var server = new FakeServer(_ => FakeServer.Json(Document()));
        Assert.Equal(Issuer, Support.Right(Fetch(server)).Issuer);
        var sent = Assert.Single(server.Requests);
        Assert.Equal("https://as.example/.well-known/oauth-authorization-server/tenant", sent.Uri.OriginalString);
        Assert.Equal(HttpMethod.Get, sent.Method);
    }

    [Fact]
    public void NoMetadataAtTheFirstLocationSendsUsToTheOpenIdOne()
    {
        var server = new FakeServer(s => s.Path.StartsWith("/.well-known/") ? new HttpResponseMessage(HttpStatusCode.NotFound) : FakeServer.Json(Document()));
        Assert.Equal(Issuer, Support.Right(Fetch(server)).Issuer);
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal("https://as.example/tenant/.well-known/openid-configuration", server.Requests[1].Uri.OriginalString);
    }

    [Fact]
    public void AnOAuthErrorAtTheFirstLocationAlsoSendsUsOn()
    {
        var server = new FakeServer(s => s.Path.StartsWith("/.well-known/") ? FakeServer.OAuthError("invalid_request") : FakeServer.Json(Document()));
        Support.Right(Fetch(server));
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public void AWrongDocumentStopsTheSearch()
    {
        var server = new FakeServer(_ => FakeServer.Json(Document("https://other.example")));
        var error = Assert.IsType<PkceError.InvalidMetadata>(Support.Left(Fetch(server)));
        Assert.Equal(Issuer, error.Issuer);
        Assert.Single(server.Requests);
    }

    [Fact]
    public void NoMetadataAnywhereIsTheLastLocationsError()
    {
        var server = new FakeServer(_ => new HttpResponseMessage(HttpStatusCode.NotFound));
        Assert.IsType<PkceError.UnexpectedResponse>(Support.Left(Fetch(server)));
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public void ABadIssuerIsRefusedBeforeAnyRequest()
    {
        var server = new FakeServer(_ => FakeServer.Json(Document()));
        Assert.IsType<PkceError.InvalidValue>(Support.Left(Fetch(server, "http://as.example")));
        Assert.IsType<PkceError.InvalidValue>(Support.Left(Fetch(server, "https://as.example?x=1")));
        Assert.IsType<PkceError.InvalidValue>(Support.Left(Fetch(server, "https://as.example#f")));
        Assert.IsType<PkceError.InvalidValue>(Support.Left(Fetch(server, "https://u@as.example")));
        Assert.IsType<PkceError.InvalidValue>(Support.Left(Fetch(server, "ftp://as.example")));
        Assert.IsType<PkceError.InvalidValue>(Support.Left(Fetch(server, "as.example")));
        Assert.Empty(server.Requests);
    }

    [Fact]
    public void LoopbackHttpIssuersAreAllowedAndTrailingSlashesDropped()
    {
        Assert.Equal(Seq(new Uri("http://127.0.0.1:9000/.well-known/oauth-authorization-server/t"), new Uri("http://127.0.0.1:9000/t/.well-known/openid-configuration")),
            Support.Right(Discovery.Locations("http://127.0.0.1:9000/t/")));
        Assert.Equal(Seq(new Uri("https://as.example/.well-known/oauth-authorization-server"), new Uri("https://as.example/.well-known/openid-configuration")),
            Support.Right(Discovery.Locations("https://as.example")));
    }

    [Fact]
    public void TheCacheFetchesOncePerLifetime()
    {
        var clock = Support.Clock();
        var server = new FakeServer(_ => FakeServer.Json(Document()));
        var cache = new MetadataCache(server.Port(), clock, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromMinutes(10), cache.Lifetime);
        Assert.Equal(TimeSpan.FromSeconds(5), cache.Timeout);
        Support.Right(Support.Run(cache.Get(Issuer, CancellationToken.None)));
        Support.Right(Support.Run(cache.Get(Issuer, CancellationToken.None)));
        Assert.Equal(1, cache.Fetches);
        clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromTicks(1));
        Support.Right(Support.Run(cache.Get(Issuer, CancellationToken.None)));
        Assert.Equal(1, cache.Fetches);
        clock.Advance(TimeSpan.FromTicks(1));
        Support.Right(Support.Run(cache.Get(Issuer, CancellationToken.None)));
        Assert.Equal(2, cache.Fetches);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public void TheCacheForgetsAFailureAtOnce()
    {
        var fail = true;
        var server = new FakeServer(_ => fail ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) : FakeServer.Json(Document()));
        var cache = new MetadataCache(server.Port(), Support.Clock(), TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(5));
        Support.Left(Support.Run(cache.Get(Issuer, CancellationToken.None)));
        fail = false;
        Support.Right(Support.Run(cache.Get(Issuer, CancellationToken.None)));
        Assert.Equal(2, cache.Fetches);
    }

    [Fact]
    public void TheCacheRefusesNonPositiveLifetimesAndNulls()
    {
        using var port = new FakeServer(_ => FakeServer.Json("{}")).Port();
        Assert.Throws<ArgumentOutOfRangeException>(() => new MetadataCache(port, TimeProvider.System, TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MetadataCache(port, TimeProvider.System, TimeSpan.FromSeconds(1), TimeSpan.Zero));
        Assert.Throws<ArgumentNullException>(() => new MetadataCache(null!, TimeProvider.System, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentNullException>(() => new MetadataCache(port, null!, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        var cache = new MetadataCache(port, TimeProvider.System, TimeSpan.FromTicks(1), TimeSpan.FromTicks(1));
        Assert.Throws<ArgumentNullException>(() => cache.Get(null!, CancellationToken.None));
    }

    [Fact]
    public void DiscoverTakesEndpointsIssuerAndAuthenticationFromTheDocument()
    {
        var server = new FakeServer(_ => FakeServer.Json(Document(extra:
            ""","pushed_authorization_request_endpoint":"https://as.example/par","revocation_endpoint":"https://as.example/revoke","authorization_response_iss_parameter_supported":true,"require_pushed_authorization_requests":true,"token_endpoint_auth_methods_supported":["client_secret_post"]""")));
        var cache = new MetadataCache(server.Port(), Support.Clock(), TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(5));
        var settings = new PkceSettings { ClientId = "c", ClientSecret = "s", RedirectUri = "http://127.0.0.1:1/cb", RootUrl = "https://ignored.example/" };
        var config = Support.Right(Support.Run(DiscoveredConfig.Discover(settings, cache, Issuer, CancellationToken.None)));
        Assert.Equal(new Uri("https://as.example/token"), config.Server.TokenEndpoint);
        Assert.Equal(new Uri("https://as.example/authorize"), config.Server.AuthorizationEndpoint);
        Assert.Equal(Some(new Uri("https://as.example/par")), config.Server.PushedAuthorizationRequestEndpoint);
        Assert.Equal(Some(new Uri("https://as.example/revoke")), config.Server.RevocationEndpoint);
        Assert.Equal(Some(Issuer), config.Server.ExpectedIssuer);
        Assert.True(config.Server.IssuerAlwaysSent);
        Assert.True(config.Server.RequirePushedAuthorizationRequests);
        Assert.Equal(ClientAuthentication.ClientSecretPost, config.Client.Authentication);
    }

    [Theory]
    [InlineData(null, "", ClientAuthentication.None)]
    [InlineData("", "\"client_secret_post\"", ClientAuthentication.None)]
    [InlineData("s", "\"client_secret_post\",\"client_secret_basic\"", ClientAuthentication.ClientSecretBasic)]
    [InlineData("s", "\"client_secret_post\"", ClientAuthentication.ClientSecretPost)]
    [InlineData("s", "\"private_key_jwt\"", ClientAuthentication.ClientSecretBasic)]
    [InlineData("s", "", ClientAuthentication.ClientSecretBasic)]
    public void TheAuthenticationFollowsTheSecretAndTheServersMethods(string? secret, string methods, ClientAuthentication expected)
    {
        var metadata = Support.Right(MetadataParser.Parse(new Pkce.Http.HttpAnswer("metadata", 200, Some("application/json"),
            System.Text.Encoding.UTF8.GetBytes(Document(extra: $$""","token_endpoint_auth_methods_supported":[{{methods}}]"""))), Issuer));
        var settings = new PkceSettings { ClientId = "c", ClientSecret = secret, RedirectUri = "http://127.0.0.1:1/cb" };
        Assert.Equal(expected, Support.Right(DiscoveredConfig.From(settings, metadata)).Client.Authentication);
        Assert.Equal(ClientAuthentication.ClientSecretPost,
            Support.Right(DiscoveredConfig.From(settings with { ClientSecret = "s", Authentication = ClientAuthentication.ClientSecretPost }, metadata)).Client.Authentication);
    }

    [Fact]
    public void SettingsKeepTheirEndpointsAndFlagsWhereTheDocumentIsSilent()
    {
        var metadata = Support.Right(MetadataParser.Parse(new Pkce.Http.HttpAnswer("metadata", 200, Some("application/json"),
            System.Text.Encoding.UTF8.GetBytes(Document())), Issuer));
        var settings = new PkceSettings
        {
            ClientId = "c", RedirectUri = "http://127.0.0.1:1/cb", PushedAuthorizationRequestEndpoint = "https://as.example/mypar",
            RevocationEndpoint = "https://as.example/myrevoke", IssuerAlwaysSent = true, RequirePushedAuthorizationRequests = true,
        };
        var config = Support.Right(DiscoveredConfig.From(settings, metadata));
        Assert.Equal(Some(new Uri("https://as.example/mypar")), config.Server.PushedAuthorizationRequestEndpoint);
        Assert.Equal(Some(new Uri("https://as.example/myrevoke")), config.Server.RevocationEndpoint);
        Assert.True(config.Server.IssuerAlwaysSent);
        Assert.True(config.Server.RequirePushedAuthorizationRequests);
        var plain = Support.Right(DiscoveredConfig.From(settings with { IssuerAlwaysSent = false, RequirePushedAuthorizationRequests = false }, metadata));
        Assert.False(plain.Server.IssuerAlwaysSent);
        Assert.False(plain.Server.RequirePushedAuthorizationRequests);
    }
}
