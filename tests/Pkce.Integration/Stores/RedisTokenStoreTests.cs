using Pkce.Stores.Redis;
using StackExchange.Redis;

namespace Pkce.Integration.Stores;

/// <summary>What only a server can do wrong with tokens: be down or frozen, hold damaged entries, scatter a key's keys over slots.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisTokenStoreTests(RedisServer server)
{
    private static TokenKey NewKey(string user = "alice", string resource = "api", string scope = "read") =>
        new(UserKey.From(user).IfLeft(_ => null!), resource, scope);

    private static TokenSet NewTokens() =>
        new("at-" + Guid.NewGuid().ToString("N"), "Bearer", Some(DateTimeOffset.UtcNow.AddHours(1)), Some("rt-" + Guid.NewGuid().ToString("N")), None, DateTimeOffset.UtcNow);

    private static StoredTokens Holding(TokenSet tokens) => new(0, Some(tokens), None);

    private static void AssertNamesNoToken(PkceError error, TokenSet tokens)
    {
        Assert.DoesNotContain(tokens.AccessToken, error.ToString());
        Assert.DoesNotContain(tokens.RefreshToken.IfNone("-"), error.ToString());
    }

    /// <summary>Prefixes and key parts that defeat naive hash tags: braces, empty tags, unclosed tags.</summary>
    public static TheoryData<string, string, string> TrickyKeys => new()
    {
        { "pkce:tokens:", "alice", "api" },
        { "pkce:tokens:", "}alice{", "{api}" },
        { "pkce:tokens:", "{}", "}{" },
        { "app{tenant}:", "alice", "api" },  // a tag of the application's own: every key of the store in one slot
        { "app{", "x}y", "api" },            // an unclosed brace: the tag runs into the id, the same in both keys
        { "}{", "{", "}" },
        { "a}b{c", "alice", "" },
    };

    [Fact]
    public async Task A_stopped_server_is_a_store_failure_that_names_no_token()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Ports.Free()},abortConnect=false,connectTimeout=500,syncTimeout=500,asyncTimeout=500");
        var store = new RedisTokenStore(redis);
        var key = NewKey();
        var tokens = NewTokens();
        var error = Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Swap(key, 0, Holding(tokens), default)));
        AssertNamesNoToken(error, tokens);
        Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Load(key, default)));
        Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Delete(key, default)));
        Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Acquire(key, "one", TimeSpan.FromSeconds(5), default)));
        Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Release(key, "one", default)));
    }

    [Fact]
    public async Task A_frozen_server_is_a_store_failure_that_names_no_token_and_keeps_what_it_acknowledged()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var store = new RedisTokenStore(redis, $"frozen:{Guid.NewGuid():N}:");
        var key = NewKey();
        var kept = NewTokens();
        Assert.True(await Expect.Right(store.Swap(key, 0, Holding(kept), default)));
        server.Pause();
        try
        {
            var during = NewTokens();
            var error = Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Swap(key, 1, Holding(during), default)));
            Assert.Contains("Timeout", error.Reason, StringComparison.OrdinalIgnoreCase);
            AssertNamesNoToken(error, during);
            AssertNamesNoToken(error, kept);
        }
        finally
        {
            server.Resume();
        }
        // The swap sent while the server was frozen may have run once it woke: either value is whole.
        var stored = await Expect.Right(store.Load(key, default));
        Assert.True(stored.Version is 1 or 2);
        if (stored.Version == 1) Assert.Equal(Some(kept), stored.Tokens);
    }

    [Theory]
    [InlineData("version", "x")]
    [InlineData("version", "-1")]
    [InlineData("payload", "{\"v\":1,\"access_token\":\"at-tampered-secret\"}")]
    [InlineData("payload", "not json at-tampered-secret")]
    public async Task A_tampered_entry_is_a_store_failure_that_quotes_no_token(string field, string value)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var store = new RedisTokenStore(redis, $"tampered:{Guid.NewGuid():N}:");
        var key = NewKey();
        var tokens = NewTokens();
        await Expect.Right(store.Swap(key, 0, Holding(tokens), default));
        await redis.GetDatabase().HashSetAsync(store.TokensKey(key), field, value);
        var error = Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Load(key, default)));
        Assert.StartsWith("stored tokens are corrupt", error.Reason);
        AssertNamesNoToken(error, tokens);
        Assert.DoesNotContain("tampered-secret", error.ToString());
    }

    [Fact]
    public async Task Tokens_are_one_hash_without_expiry_and_the_lease_lifetime_is_kept_by_Redis()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var store = new RedisTokenStore(redis, $"layout:{Guid.NewGuid():N}:");
        var key = NewKey();
        await Expect.Right(store.Swap(key, 0, Holding(NewTokens()), default));
        var database = redis.GetDatabase();
        Assert.Equal(["payload", "version"], (await database.HashKeysAsync(store.TokensKey(key))).Select(k => (string)k!).Order());
        Assert.Null(await database.KeyTimeToLiveAsync(store.TokensKey(key)));
        Assert.True(await Expect.Right(store.Acquire(key, "one", TimeSpan.FromSeconds(30), default)));
        Assert.InRange((await database.KeyTimeToLiveAsync(store.LeaseKey(key)))!.Value, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(30));
        Assert.Equal("one", (string?)await database.StringGetAsync(store.LeaseKey(key)));
    }

    [Theory]
    [InlineData("app{}:")]
    [InlineData("{}")]
    [InlineData("x{}{y}")]
    public void A_prefix_with_an_empty_hash_tag_first_is_refused(string prefix)
    {
        using var redis = ConnectionMultiplexer.Connect(server.Configuration);
        Assert.Throws<ArgumentException>(() => new RedisTokenStore(redis, prefix));
    }

    [Theory]
    [MemberData(nameof(TrickyKeys))]
    public async Task A_keys_tokens_and_lease_hash_to_one_cluster_slot(string prefix, string user, string resource)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var unique = $"{Guid.NewGuid():N}";
        var store = new RedisTokenStore(redis, unique + prefix);
        var key = NewKey(user, resource, "{read}");
        var redisServer = redis.GetServer(redis.GetEndPoints()[0]);
        await Expect.Right(store.Swap(key, 0, Holding(NewTokens()), default));
        Assert.True(await Expect.Right(store.Acquire(key, "one", TimeSpan.FromMinutes(1), default)));
        var keys = await redisServer.KeysAsync(pattern: unique + "*").Select(k => (string)k!).ToArrayAsync();
        Assert.Equal(2, keys.Length);
        var slots = keys.Select(ClusterSlot.Of).Distinct().ToArray();
        Assert.True(slots.Length == 1, "keys in different slots: " + string.Join(", ", keys.Select(k => $"'{k}' -> {ClusterSlot.Of(k)}")));
    }

    [Fact]
    public async Task Every_port_works_on_a_Redis_Cluster_node()
    {
        await using var node = await RedisServer.StartClusterNodeAsync();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(node.Configuration);
        Assert.Equal(ServerType.Cluster, redis.GetServer(redis.GetEndPoints()[0]).ServerType);
        foreach (var (prefix, user, resource) in TrickyKeys.Select(row => ((string)row[0], (string)row[1], (string)row[2])))
        {
            var store = new RedisTokenStore(redis, prefix);
            var key = NewKey(user, resource, "{read}");
            var tokens = NewTokens();
            Assert.True(await Expect.Right(store.Swap(key, 0, Holding(tokens), default)));
            Assert.False(await Expect.Right(store.Swap(key, 0, Holding(NewTokens()), default)));
            Assert.Equal(new StoredTokens(1, Some(tokens), None), await Expect.Right(store.Load(key, default)));
            Assert.True(await Expect.Right(store.Acquire(key, "one", TimeSpan.FromMinutes(1), default)));
            Assert.False(await Expect.Right(store.Acquire(key, "two", TimeSpan.FromMinutes(1), default)));
            await Expect.Right(store.Release(key, "one", default));
            Assert.True(await Expect.Right(store.Acquire(key, "two", TimeSpan.FromMinutes(1), default)));
            await Expect.Right(store.Delete(key, default));
            Assert.Equal(StoredTokens.Nothing, await Expect.Right(store.Load(key, default)));
        }
    }
}
