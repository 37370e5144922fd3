using Pkce.Http;
using Pkce.Facade;
using Pkce.LocalAuthority;

namespace Pkce.Integration.Conformance;

/// <summary>The whole flow against a real authorization server, for each client and each API style.</summary>
[Collection(AuthorityCollection.Name)]
public sealed class HappyPathTests(AuthorityFixture fixture)
{
    private static readonly UserKey Alice = UserKey.From("alice").IfLeft(_ => throw new InvalidOperationException());

    private async Task TokenIsUsable(string accessToken, LocalClient client, string subject)
    {
        var introspection = await fixture.Authority.IntrospectAsync(accessToken);
        Assert.True(introspection.Active);
        Assert.Equal(client.ClientId, introspection.ClientId);
        Assert.Equal(subject, introspection.Subject);
        Assert.Contains("api", introspection.Scope!.Split(' '));
    }

    [Theory]
    [InlineData("public")]
    [InlineData("basic")]
    [InlineData("post")]
    public async Task Core_pipeline_obtains_a_usable_token(string kind)
    {
        var client = fixture.Client(kind);
        var config = Expect.Value(Config.Validate(fixture.Settings(client)));
        var store = new InMemoryPendingStore();
        var started = await Expect.Right(Flow.Start(config, fixture.Deps, store.Save, Alice, default));
        var callback = await fixture.FollowAsync(started.AuthorizationUrl);
        var token = await Expect.Right(Flow.Complete(config, fixture.Deps, store.Take, Alice, callback, default));
        Assert.Equal("Bearer", token.TokenType);
        Assert.True(token.RefreshToken.IsSome);
        Assert.True(token.ExpiresIn.IsSome);
        await TokenIsUsable(token.AccessToken, client, LocalAuthority.LocalAuthority.DefaultSubject);
        Assert.Equal(0, store.PendingCount);
    }

    [Theory]
    [InlineData("public")]
    [InlineData("basic")]
    [InlineData("post")]
    public async Task Composition_client_obtains_a_usable_token(string kind)
    {
        var client = fixture.Client(kind);
        using var pkce = new PkceClient(fixture.Settings(client));
        var url = await pkce.GetAuthorizationUrlAsync("bob", [new("login_hint", "bob")]);
        var token = await pkce.HandleCallbackAsync("bob", await fixture.FollowAsync(url));
        await TokenIsUsable(token.AccessToken, client, "bob");
        Assert.Equal(token.AccessToken, token.Json.GetProperty("access_token").GetString());
    }

    /// <summary>The seed-style manager, configured for one of the local authority's clients.</summary>
    internal sealed class LocalManager(LocalAuthority.LocalAuthority authority, LocalClient client) : PkceFlowManager<string>
    {
        private readonly Dictionary<string, UserSecrets> _rows = [];
        public override string ClientId => client.ClientId;
        public override string? ClientSecret => client.ClientSecret;
        public override ClientAuthentication? ClientAuthentication => AuthorityFixture.SettingsFor(authority, client).Authentication;
        public override string RedirectUri => AuthorityFixture.RedirectUri;
        public override string RootUrl => new Uri(authority.Issuer, "connect/").AbsoluteUri;
        public override string? Scope => "api";
        public override string? ExpectedIssuer => authority.Issuer.AbsoluteUri;

        public override bool IssuerAlwaysSent => true;

        protected override Task StoreUserSecretsAsync(string user, UserSecrets secrets, CancellationToken ct)
        {
            lock (_rows) _rows[user] = secrets;
            return Task.CompletedTask;
        }

        protected override Task<UserSecrets?> TakeUserSecretsAsync(string user, string state, CancellationToken ct)
        {
            lock (_rows)
                return Task.FromResult(_rows.GetValueOrDefault(user) is { } row && row.State == state && _rows.Remove(user) ? row : null);
        }
    }

    [Theory]
    [InlineData("public")]
    [InlineData("basic")]
    [InlineData("post")]
    public async Task Seed_style_manager_obtains_a_usable_token(string kind)
    {
        var client = fixture.Client(kind);
        using var manager = new LocalManager(fixture.Authority, client);
        var url = await manager.GetAuthorizationUrlAsync("carol", [new("login_hint", "carol")]);
        var callback = QueryString.Parse(new Uri(await fixture.FollowAsync(url)).Query);
        string Param(string name) => callback.Single(p => p.Name == name).Value;
        Assert.Equal(QueryString.Parse(new Uri(url).Query).Single(p => p.Name == "state").Value, Param("state"));
        var token = await manager.FetchAccessTokenAsync("carol", Param("state"), Param("code"), Param("iss"));
        await TokenIsUsable(token.AccessToken, client, "carol");
    }
}
