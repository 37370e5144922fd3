namespace Pkce.Integration.OidcProvider;

/// <summary>Discovery, pushed requests, refresh with rotation and revocation, through the library, at oidc-provider.</summary>
[Collection(OidcProviderCollection.Name)]
public sealed class OidcProviderLifecycleTests(OidcProviderFixture fixture)
{
    private static readonly UserKey Alice = UserKey.From("alice").IfLeft(_ => throw new InvalidOperationException());
    private static readonly TokenKey Key = new(Alice, "urn:pkce:api", "api");

    private static PkceSettings ClientOnly(ProviderClient client) => new()
    {
        ClientId = client.ClientId, ClientSecret = client.ClientSecret, RedirectUri = OidcProviderFixture.FixedRedirectUri,
        Scope = "api", Timeout = TimeSpan.FromSeconds(10),
    };

    private Task<PkceConfig> DiscoverAsync(ProviderClient client, Func<PkceSettings, PkceSettings>? alter = null) =>
        Expect.Right(DiscoveredConfig.Discover((alter ?? (s => s))(ClientOnly(client)),
            new MetadataCache(fixture.Http, TimeProvider.System, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10)), fixture.Metadata.Issuer, default));

    private async Task<TokenResponse> SignInAsync(PkceConfig config)
    {
        var store = new InMemoryPendingStore();
        var started = await Expect.Right(Flow.Start(config, fixture.Deps, store.Save, Alice, default));
        Assert.Contains("request_uri=", started.AuthorizationUrl);
        return await Expect.Right(Flow.Complete(config, fixture.Deps, store.Take, Alice, await fixture.SignInAsync(started.AuthorizationUrl, "alice"), default));
    }

    [Theory]
    [InlineData("public")]
    [InlineData("basic")]
    [InlineData("post")]
    [InlineData("par")]
    public async Task A_discovered_configuration_pushes_the_request_and_obtains_an_active_token(string kind)
    {
        var client = kind switch { "public" => OidcProviderFixture.Public, "basic" => OidcProviderFixture.Basic, "post" => OidcProviderFixture.Post, _ => OidcProviderFixture.Par };
        // A client registered for client_secret_post says so; otherwise the method comes from the metadata.
        var config = await DiscoverAsync(client, s => client.Authentication == ClientAuthentication.ClientSecretPost ? s with { Authentication = client.Authentication } : s);
        Assert.Equal((true, true), (config.Server.IssuerAlwaysSent, config.Server.PushedAuthorizationRequestEndpoint.IsSome));
        Assert.Equal(client.Authentication, config.Client.Authentication);
        var token = await SignInAsync(config);
        Assert.True((await fixture.IntrospectAsync(token.AccessToken)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task A_client_that_must_push_is_refused_a_plain_request()
    {
        var config = await DiscoverAsync(OidcProviderFixture.Par, s => s with { UsePushedAuthorizationRequests = false });
        var store = new InMemoryPendingStore();
        var started = await Expect.Right(Flow.Start(config, fixture.Deps, store.Save, Alice, default));
        var callback = await fixture.SignInAsync(started.AuthorizationUrl, "alice");
        var denied = Assert.IsType<PkceError.AuthorizationDenied>(await Expect.Left(Flow.Complete(config, fixture.Deps, store.Take, Alice, callback, default)));
        Assert.Equal("invalid_request", denied.Error);
    }

    [Theory]
    [InlineData("public")]
    [InlineData("basic")]
    public async Task A_refresh_rotates_the_refresh_token_and_the_provider_refuses_the_old_one(string kind)
    {
        var config = await DiscoverAsync(kind == "public" ? OidcProviderFixture.Public : OidcProviderFixture.Basic);
        var source = new TokenSource(config, fixture.Deps, new InMemoryTokenStore().Ports);
        var first = await Expect.Right(source.Save(Key, await SignInAsync(config), default));
        var renewed = await Expect.Right(source.Refresh(Key, default));
        Assert.NotEqual(first.RefreshToken, renewed.RefreshToken);
        Assert.True((await fixture.IntrospectAsync(renewed.AccessToken)).GetProperty("active").GetBoolean());
        var reuse = Assert.IsType<PkceError.EndpointError>(await Expect.Left(RefreshRequest.Send(config, fixture.Http, first.RefreshToken.IfNone(""), None, default)));
        Assert.Equal("invalid_grant", reuse.Error);
    }

    [Fact]
    public async Task Logout_revokes_at_the_provider_and_the_access_token_is_no_longer_active()
    {
        var config = await DiscoverAsync(OidcProviderFixture.Basic);
        var source = new TokenSource(config, fixture.Deps, new InMemoryTokenStore().Ports);
        var tokens = await Expect.Right(source.Save(Key, await SignInAsync(config), default));
        Assert.Equal(None, await Expect.Right(source.Revoke(Key, default)));
        Assert.False((await fixture.IntrospectAsync(tokens.AccessToken)).GetProperty("active").GetBoolean());
        Assert.IsType<PkceError.LoginRequired>(await Expect.Left(source.Get(Key, default)));
    }
}
