using Microsoft.Extensions.Time.Testing;
using Pkce.Http;

namespace Pkce.Integration.Conformance;

/// <summary>A token through its life against the local authority: refresh with rotation, the single flight, revocation.</summary>
[Collection(AuthorityCollection.Name)]
public sealed class LifecycleTests(AuthorityFixture fixture)
{
    private static readonly UserKey Alice = UserKey.From("alice").IfLeft(_ => throw new InvalidOperationException());
    private static readonly TokenKey Key = new(Alice, "api", "api offline_access");

    private LocalAuthority.LocalAuthority Authority => fixture.Authority;

    /// <summary>Signs in with the discovered configuration of <paramref name="kind"/>'s client and keeps the tokens.</summary>
    private async Task<(PkceConfig Config, TokenSource Source, TokenSet First)> SignedInAsync(string kind, TimeProvider clock, TokenStore? store = null)
    {
        var cache = new MetadataCache(fixture.Http, TimeProvider.System, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10));
        var client = fixture.Client(kind);
        var config = await Expect.Right(DiscoveredConfig.Discover(new PkceSettings
        {
            ClientId = client.ClientId, ClientSecret = client.ClientSecret, RedirectUri = AuthorityFixture.RedirectUri,
            Scope = "api offline_access", Timeout = TimeSpan.FromSeconds(10),
        }, cache, Authority.Issuer.AbsoluteUri, default));
        var deps = fixture.Deps with { Clock = clock };
        var pending = new InMemoryPendingStore(clock);
        var started = await Expect.Right(Flow.Start(config, deps, pending.Save, Alice, default));
        var token = await Expect.Right(Flow.Complete(config, deps, pending.Take, Alice, await fixture.FollowAsync(started.AuthorizationUrl), default));
        var source = new TokenSource(config, deps, store ?? new InMemoryTokenStore(clock).Ports);
        return (config, source, await Expect.Right(source.Save(Key, token, default)));
    }

    [Theory]
    [InlineData("public")]
    [InlineData("basic")]
    [InlineData("post")]
    public async Task A_refresh_rotates_the_refresh_token_and_the_server_refuses_the_old_one(string kind)
    {
        var (config, source, first) = await SignedInAsync(kind, TimeProvider.System);
        var renewed = await Expect.Right(source.Refresh(Key, default));
        Assert.NotEqual(first.AccessToken, renewed.AccessToken);
        Assert.NotEqual(first.RefreshToken, renewed.RefreshToken);
        Assert.True((await Authority.IntrospectAsync(renewed.AccessToken)).Active);
        var reuse = Assert.IsType<PkceError.EndpointError>(await Expect.Left(RefreshRequest.Send(config, fixture.Http, first.RefreshToken.IfNone(""), None, default)));
        Assert.Equal("invalid_grant", reuse.Error);
    }

    [Fact]
    public async Task A_fresh_token_is_handed_out_without_a_request_and_an_expiring_one_is_renewed_once()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (_, source, first) = await SignedInAsync("public", clock);
        var before = Authority.TokenRequests;
        Assert.Equal(first.AccessToken, (await Expect.Right(source.Get(Key, default))).AccessToken);
        Assert.Equal(before, Authority.TokenRequests);
        clock.Advance(first.ExpiresAt.IfNone(DateTimeOffset.MaxValue) - clock.GetUtcNow() - TimeSpan.FromSeconds(30));
        var renewed = await Expect.Right(source.Get(Key, default));
        Assert.NotEqual(first.AccessToken, renewed.AccessToken);
        Assert.Equal(before + 1, Authority.TokenRequests);
        Assert.Equal(renewed.AccessToken, (await Expect.Right(source.Get(Key, default))).AccessToken);
        Assert.Equal(before + 1, Authority.TokenRequests);
    }

    [Fact]
    public async Task A_thousand_concurrent_callers_of_an_expired_token_cause_one_refresh()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (_, source, first) = await SignedInAsync("basic", clock);
        clock.Advance(TimeSpan.FromDays(1));
        var before = Authority.TokenRequests;
        using var start = new ManualResetEventSlim();
        var callers = Enumerable.Range(0, 1000).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await source.Get(Key, default).ToEither();
        })).ToArray();
        start.Set();
        var tokens = (await Task.WhenAll(callers)).Select(Expect.Right).Select(t => t.AccessToken).Distinct().ToList();
        Assert.Single(tokens);
        Assert.NotEqual(first.AccessToken, tokens[0]);
        Assert.Equal(before + 1, Authority.TokenRequests);
        Assert.Equal(1, source.Refreshes);
    }

    [Fact]
    public async Task A_refused_refresh_token_marks_the_key_as_needing_a_login_without_retrying()
    {
        var (config, source, first) = await SignedInAsync("post", TimeProvider.System);
        await Expect.Right(Revocation.Revoke(config, fixture.Http, first.RefreshToken.IfNone(""), isRefreshToken: true, default));
        var refused = Assert.IsType<PkceError.LoginRequired>(await Expect.Left(source.Refresh(Key, default)));
        Assert.Contains("invalid_grant", refused.Message);
        var before = Authority.TokenRequests;
        Assert.IsType<PkceError.LoginRequired>(await Expect.Left(source.Get(Key, default)));
        Assert.IsType<PkceError.LoginRequired>(await Expect.Left(source.Refresh(Key, default)));
        Assert.Equal(before, Authority.TokenRequests);
    }

    [Fact]
    public async Task Logout_revokes_the_tokens_at_the_server_and_forgets_them()
    {
        var (config, source, first) = await SignedInAsync("basic", TimeProvider.System);
        Assert.Equal(None, await Expect.Right(source.Revoke(Key, default)));
        Assert.False((await Authority.IntrospectAsync(first.AccessToken)).Active);
        Assert.IsType<PkceError.LoginRequired>(await Expect.Left(source.Get(Key, default)));
        var reuse = Assert.IsType<PkceError.EndpointError>(await Expect.Left(RefreshRequest.Send(config, fixture.Http, first.RefreshToken.IfNone(""), None, default)));
        Assert.Equal("invalid_grant", reuse.Error);
    }

    [Fact]
    public async Task Logout_forgets_the_tokens_even_when_the_server_cannot_be_reached()
    {
        var store = new InMemoryTokenStore();
        using var dead = HttpPort.Create();
        var unreachable = Expect.Value(Config.Validate(fixture.Settings(Authority.Public) with { RevocationEndpoint = "http://127.0.0.1:1/revoke" }));
        var source = new TokenSource(unreachable, Dependencies.System(dead), store.Ports);
        await Expect.Right(source.Save(Key, new TokenResponse("AT", "Bearer", None, Some("RT"), None, None, default, "{}"), default));
        var outcome = await Expect.Right(source.Revoke(Key, default));
        Assert.True(outcome.Exists(e => e is PkceError.TransportFailure));
        Assert.IsType<PkceError.LoginRequired>(await Expect.Left(source.Get(Key, default)));
    }

    [Fact]
    public async Task Callers_that_stop_waiting_do_not_leave_an_old_refresh_result_for_later_callers()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (_, source, _) = await SignedInAsync("public", clock);
        clock.Advance(TimeSpan.FromDays(1));
        Authority.TokenDelay = TimeSpan.FromMilliseconds(300);
        try
        {
            using var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => source.Get(Key, impatient.Token).ToEither());
        }
        finally
        {
            Authority.TokenDelay = TimeSpan.Zero;
        }
        await Task.Delay(500);
        var second = await Expect.Right(source.Get(Key, default));
        clock.Advance(TimeSpan.FromDays(1));
        var third = await Expect.Right(source.Get(Key, default));
        Assert.NotEqual(second.AccessToken, third.AccessToken);
        Assert.Equal(2, source.Refreshes);
    }
}
