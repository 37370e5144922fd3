using Microsoft.Extensions.Time.Testing;
using Pkce.Samples;

namespace Pkce.Integration.Conformance;

/// <summary>README's token lifecycle sample, run against the local authority.</summary>
[Collection(AuthorityCollection.Name)]
public sealed class LifecycleSampleTests(AuthorityFixture fixture)
{
    [Fact]
    public async Task The_readme_web_app_signs_in_calls_with_a_fresh_token_and_signs_out()
    {
        var user = UserKey.From("dora").IfLeft(_ => throw new InvalidOperationException());
        var store = new InMemoryTokenStore();
        var app = await TokenLifecycle.StartAsync(fixture.Authority.Issuer.AbsoluteUri, fixture.Authority.Public.ClientId, AuthorityFixture.RedirectUri, store.Ports, default);
        var pending = new InMemoryPendingStore();
        var url = await app.SignInAsync(pending, user, default);
        Assert.Contains("request_uri=", url);
        await app.CallbackAsync(pending, user, await fixture.FollowAsync(url), default);
        var first = await app.AccessTokenAsync(user, default);
        Assert.True((await fixture.Authority.IntrospectAsync(first)).Active);
        Assert.Equal(first, await app.AccessTokenAsync(user, default));
        Assert.Equal(LanguageExt.Option<PkceError>.None, await app.SignOutAsync(user, default));
        Assert.False((await fixture.Authority.IntrospectAsync(first)).Active);
        Assert.Equal("", await app.AccessTokenAsync(user, default));
    }
}
