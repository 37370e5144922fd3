using Pkce.Http;
using Pkce.LocalAuthority;

namespace Pkce.Integration.Conformance;

/// <summary>Discovery (RFC 8414) and pushed authorization requests (RFC 9126) against the local authority.</summary>
[Collection(AuthorityCollection.Name)]
public sealed class DiscoveryTests(AuthorityFixture fixture)
{
    private static readonly UserKey Alice = UserKey.From("alice").IfLeft(_ => throw new InvalidOperationException());

    private LocalAuthority.LocalAuthority Authority => fixture.Authority;

    private MetadataCache Cache() => new(fixture.Http, TimeProvider.System, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10));

    /// <summary>What a user writes when the server is found by discovery: the client, nothing about endpoints.</summary>
    private static PkceSettings ClientOnly(LocalClient client) => new()
    {
        ClientId = client.ClientId,
        ClientSecret = client.ClientSecret,
        RedirectUri = AuthorityFixture.RedirectUri,
        Scope = "api offline_access",
        Timeout = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public async Task Metadata_of_the_issuer_names_its_endpoints_and_rules()
    {
        var metadata = await Expect.Right(Cache().Get(Authority.Issuer.AbsoluteUri, default));
        Assert.Equal(Authority.Issuer.AbsoluteUri, metadata.Issuer);
        Assert.Equal(Authority.AuthorizationEndpoint, metadata.AuthorizationEndpoint);
        Assert.Equal(Authority.TokenEndpoint, metadata.TokenEndpoint);
        Assert.Equal(Some(Authority.PushedAuthorizationEndpoint), metadata.PushedAuthorizationRequestEndpoint);
        Assert.Equal(Some(Authority.RevocationEndpoint), metadata.RevocationEndpoint);
        Assert.Equal(Some(Seq1("S256")), metadata.CodeChallengeMethods);
        Assert.True(metadata.IssuerInAuthorizationResponse);
    }

    [Theory]
    [InlineData("public")]
    [InlineData("basic")]
    [InlineData("post")]
    public async Task A_discovered_configuration_pushes_the_request_and_obtains_a_usable_token(string kind)
    {
        var client = fixture.Client(kind);
        var config = await Expect.Right(DiscoveredConfig.Discover(ClientOnly(client), Cache(), Authority.Issuer.AbsoluteUri, default));
        Assert.True(config.Server.IssuerAlwaysSent);
        var store = new InMemoryPendingStore();
        var pushedBefore = Authority.PushedRequests;
        var started = await Expect.Right(Flow.Start(config, fixture.Deps, store.Save, Alice, default));
        Assert.Equal(pushedBefore + 1, Authority.PushedRequests);
        var query = QueryString.Parse(new Uri(started.AuthorizationUrl).Query);
        Assert.Equal(new[] { "client_id", "request_uri" }, query.Map(p => p.Name).ToArray());
        var token = await Expect.Right(Flow.Complete(config, fixture.Deps, store.Take, Alice, await fixture.FollowAsync(started.AuthorizationUrl), default));
        var introspection = await Authority.IntrospectAsync(token.AccessToken);
        Assert.Equal((true, client.ClientId), (introspection.Active, introspection.ClientId));
    }

    [Fact]
    public async Task An_issuer_that_differs_from_the_document_by_a_trailing_slash_is_refused()
    {
        var asked = Authority.Issuer.AbsoluteUri.TrimEnd('/');
        var error = Assert.IsType<PkceError.InvalidMetadata>(await Expect.Left(Cache().Get(asked, default)));
        Assert.Contains("is not the issuer asked for (RFC 8414 §3.3)", error.Message);
    }

    [Fact]
    public async Task A_client_that_must_push_is_refused_a_plain_request_and_succeeds_with_a_pushed_one()
    {
        var metadata = await Expect.Right(Cache().Get(Authority.Issuer.AbsoluteUri, default));
        var plain = Expect.Value(DiscoveredConfig.From(ClientOnly(Authority.Par) with { UsePushedAuthorizationRequests = false }, metadata));
        var store = new InMemoryPendingStore();
        var refused = await Expect.Right(Flow.Start(plain, fixture.Deps, store.Save, Alice, default));
        using (var answer = await fixture.Browser.GetAsync(refused.AuthorizationUrl))
            Assert.DoesNotContain("code=", answer.Headers.Location?.OriginalString ?? "");

        var pushed = Expect.Value(DiscoveredConfig.From(ClientOnly(Authority.Par), metadata));
        var started = await Expect.Right(Flow.Start(pushed, fixture.Deps, store.Save, Alice, default));
        var token = await Expect.Right(Flow.Complete(pushed, fixture.Deps, store.Take, Alice, await fixture.FollowAsync(started.AuthorizationUrl), default));
        Assert.True((await Authority.IntrospectAsync(token.AccessToken)).Active);
    }

    [Fact]
    public async Task A_refused_push_is_an_error_and_nothing_is_stored_or_sent_to_the_browser()
    {
        var metadata = await Expect.Right(Cache().Get(Authority.Issuer.AbsoluteUri, default));
        var wrongSecret = Expect.Value(DiscoveredConfig.From(ClientOnly(Authority.Par) with { ClientSecret = "not-the-secret" }, metadata));
        var store = new InMemoryPendingStore();
        var error = Assert.IsType<PkceError.EndpointError>(await Expect.Left(Flow.Start(wrongSecret, fixture.Deps, store.Save, Alice, default)));
        Assert.Equal(("pushed authorization request endpoint", "invalid_client"), (error.Endpoint, error.Error));
        Assert.Equal(0, store.PendingCount);
    }
}
