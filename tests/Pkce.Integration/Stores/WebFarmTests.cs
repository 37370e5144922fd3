using Pkce.Facade;
using Pkce.Integration.Conformance;
using Pkce.Stores.Redis;
using StackExchange.Redis;

namespace Pkce.Integration.Stores;

/// <summary>Two application instances share one Redis: a flow started on one completes on the other.</summary>
[Collection(RedisCollection.Name)]
public sealed class WebFarmTests(RedisServer server) : IAsyncLifetime
{
    private LocalAuthority.LocalAuthority _authority = null!;

    public async Task InitializeAsync() => _authority = await LocalAuthority.LocalAuthority.StartAsync();

    public async Task DisposeAsync() => await _authority.DisposeAsync();

    [Fact]
    public async Task A_flow_started_on_one_instance_completes_on_the_other_and_only_once()
    {
        var prefix = $"farm:{Guid.NewGuid():N}:";
        await using var redisA = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        await using var redisB = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var settings = AuthorityFixture.SettingsFor(_authority, _authority.Basic);
        using var instanceA = new PkceClient(settings, new RedisPendingStore(redisA, prefix, TimeProvider.System).Ports);
        using var instanceB = new PkceClient(settings, new RedisPendingStore(redisB, prefix, TimeProvider.System).Ports);
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });

        var url = await instanceA.GetAuthorizationUrlAsync("alice", [new("login_hint", "alice")]);
        var callback = (await browser.GetAsync(url)).Headers.Location!.OriginalString;
        var token = await instanceB.HandleCallbackAsync("alice", callback);
        var introspection = await _authority.IntrospectAsync(token.AccessToken);
        Assert.Equal((true, "alice", _authority.Basic.ClientId), (introspection.Active, introspection.Subject, introspection.ClientId));

        var tokenRequests = _authority.TokenRequests;
        var replay = await Assert.ThrowsAsync<StateForgeryException>(() => instanceA.HandleCallbackAsync("alice", callback));
        Assert.Equal("state_replayed", replay.Code);
        Assert.Equal(tokenRequests, _authority.TokenRequests);
    }
}
