using Pkce.Stores.Redis;
using StackExchange.Redis;

namespace Pkce.Integration.Stores;

/// <summary>What only a server can do wrong: be down, be frozen, and keep what it acknowledged.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisStoreTests(RedisServer server)
{
    private static readonly PkceConfig Config = Pkce.Config.Validate(new PkceSettings
    {
        ClientId = "c", RedirectUri = "http://127.0.0.1:8000/callback",
        AuthorizationEndpoint = "https://as.example/authorize", TokenEndpoint = "https://as.example/token",
    }).Match(c => c, e => throw new InvalidOperationException(e.ToString()));

    private static PendingAuthorization NewPending() =>
        PendingAuthorization.For(Config, Secrets.Generate(), UserKey.From("u").IfLeft(_ => null!), DateTimeOffset.UtcNow);


    [Fact]
    public async Task A_stopped_server_is_a_store_failure()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{RedisServer.FreePort()},abortConnect=false,connectTimeout=500,syncTimeout=500,asyncTimeout=500");
        var store = new RedisPendingStore(redis);
        var pending = NewPending();
        var error = Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Save(pending, default)));
        Assert.DoesNotContain(pending.Verifier.Value, error.ToString());
        Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Take(pending.State, default)));
    }

    [Fact]
    public async Task A_frozen_server_is_a_store_failure_and_keeps_what_it_acknowledged()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var store = new RedisPendingStore(redis, $"frozen:{Guid.NewGuid():N}:", TimeProvider.System);
        var kept = NewPending();
        Assert.True((await store.Save(kept, default).ToEither()).IsRight);
        server.Pause();
        try
        {
            var during = NewPending();
            var error = Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Save(during, default)));
            Assert.Contains("Timeout", error.Reason, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(during.Verifier.Value, error.ToString());
        }
        finally
        {
            server.Resume();
        }
        Assert.Equal(kept, (await store.Take(kept.State, default).ToEither()).IfLeft(_ => null!));
    }

    [Fact]
    public async Task Redis_sets_the_expiry_of_each_entry()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var prefix = $"ttl:{Guid.NewGuid():N}:";
        var pending = NewPending();
        await new RedisPendingStore(redis, prefix, TimeProvider.System).Save(pending, default).ToEither();
        var ttl = await redis.GetDatabase().KeyTimeToLiveAsync(prefix + pending.State.Value);
        Assert.InRange(ttl!.Value, Config.PendingLifetime - TimeSpan.FromSeconds(5), Config.PendingLifetime);
    }
}
