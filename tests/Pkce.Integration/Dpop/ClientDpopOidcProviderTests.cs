using System.Net;
using Pkce.Http;
using Pkce.Integration.OidcProvider;

namespace Pkce.Integration.Dpop;

/// <summary>The library's own DPoP against the second server, node oidc-provider, with nonces required at its token endpoint and its API.</summary>
[Collection(OidcProviderDpopNonceCollection.Name)]
public sealed class ClientDpopOidcProviderTests(OidcProviderDpopNonceFixture fixture)
{
    private static readonly UserKey Alice = UserKey.From("alice").IfLeft(_ => throw new InvalidOperationException());

    [Theory]
    [InlineData("public")]
    [InlineData("basic")]
    public async Task A_whole_flow_with_dpop_gets_a_bound_token_refreshes_it_bound_and_calls_the_api(string kind)
    {
        var client = kind == "public" ? OidcProviderFixture.Public : OidcProviderFixture.Basic;
        using var key = DpopKey.Generate().IfLeft(e => throw new InvalidOperationException(e.Message));
        var deps = fixture.Deps with { Dpop = new DpopBinding(key) };
        var config = Expect.Right(Config.Validate(fixture.Settings(client)));
        var pending = new InMemoryPendingStore();
        var started = await Expect.Right(Flow.Start(config, deps, pending.Ports.Save, Alice, default));
        Assert.Contains($"dpop_jkt={key.Thumbprint}", started.AuthorizationUrl);
        var callback = await fixture.SignInAsync(started.AuthorizationUrl, "alice");
        var token = await Expect.Right(Flow.Complete(config, deps, pending.Ports.Take, Alice, callback, default));
        Assert.Equal("DPoP", token.TokenType);
        Assert.Equal((key.Thumbprint, "DPoP"), await fixture.ConfirmationAsync(token.AccessToken));

        var source = new TokenSource(config, deps, new InMemoryTokenStore().Ports);
        var tokenKey = new TokenKey(Alice, "urn:pkce:api", "api");
        await Expect.Right(source.Save(tokenKey, token, default));
        Assert.True(token.RefreshToken.IsSome);
        var renewed = await Expect.Right(source.Refresh(tokenKey, default));
        Assert.NotEqual(token.AccessToken, renewed.AccessToken);
        Assert.Equal(key.Thumbprint, (await fixture.ConfirmationAsync(renewed.AccessToken)).Thumbprint);

        using var api = new HttpClient(new DpopHandler(deps.Dpop.IfNone(() => throw new InvalidOperationException()),
            ct => source.Get(tokenKey, ct).Match(t => t.AccessToken, e => throw new InvalidOperationException(e.Message)))
        { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false } });
        using var me = await api.GetAsync(fixture.DpopApiEndpoint);
        Assert.True(me.StatusCode == HttpStatusCode.OK, await me.Content.ReadAsStringAsync());
    }
}
