using Pkce.Stores.Redis;
using StackExchange.Redis;

namespace Pkce.Integration.Stores;

/// <summary>What only a server can do wrong: be down, be frozen, keep what it acknowledged, mix up or scatter keys.</summary>
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

    /// <summary>A pending authorization under <paramref name="state"/>: any VSCHAR string may come back as a state.</summary>
    private static PendingAuthorization NewPending(string state) =>
        NewPending() with { State = State.From(state).IfLeft(e => throw new InvalidOperationException(e.ToString())) };

    /// <summary>States and prefixes that defeat naive key schemes: hash-tag braces, empty tags, a tombstone's marker.</summary>
    public static TheoryData<string, string> TrickyKeys => new()
    {
        { "pkce:pending:", "used:abc" },
        { "pkce:pending:", "}abc" },  // "{" + state + "}" would make the empty tag "{}" and hash whole keys
        { "pkce:pending:", "{}" },
        { "pkce:pending:", "a}b{c}" },
        { "app{}:", "abc" },          // an empty tag in the prefix: no tag after it counts
        { "app{tenant}:", "abc" },
        { "app{", "x}y" },
        { "}{", "}{" },
    };


    [Fact]
    public async Task A_stopped_server_is_a_store_failure()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Ports.Free()},abortConnect=false,connectTimeout=500,syncTimeout=500,asyncTimeout=500");
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_state_and_the_same_state_behind_used_do_not_interfere(bool usedFirst)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var store = new RedisPendingStore(redis, $"twins:{Guid.NewGuid():N}:", TimeProvider.System);
        var plain = NewPending();
        var used = NewPending("used:" + plain.State.Value);
        await Expect.Right(store.Save(plain, default));
        await Expect.Right(store.Save(used, default));
        var (first, second) = usedFirst ? (used, plain) : (plain, used);
        Assert.Equal(first, await Expect.Right(store.Take(first.State, default)));
        Assert.Equal(second, await Expect.Right(store.Take(second.State, default)));
        Assert.IsType<PkceError.StateReplayed>(await Expect.Left(store.Take(first.State, default)));
        Assert.IsType<PkceError.StateReplayed>(await Expect.Left(store.Take(second.State, default)));
    }

    [Fact]
    public async Task A_taken_state_leaves_no_trace_under_another_state()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var store = new RedisPendingStore(redis, $"trace:{Guid.NewGuid():N}:", TimeProvider.System);
        var plain = NewPending();
        await Expect.Right(store.Save(plain, default));
        await Expect.Right(store.Take(plain.State, default));
        var used = NewPending("used:" + plain.State.Value);
        Assert.IsType<PkceError.StateUnknown>(await Expect.Left(store.Take(used.State, default)));
        await Expect.Right(store.Save(used, default));
        Assert.Equal(used, await Expect.Right(store.Take(used.State, default)));
    }

    [Theory]
    [MemberData(nameof(TrickyKeys))]
    public async Task Every_key_a_take_touches_hashes_to_one_cluster_slot(string prefix, string state)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var unique = $"{Guid.NewGuid():N}"; // first, so the tricky part of the prefix stays where it is
        var store = new RedisPendingStore(redis, unique + prefix, TimeProvider.System);
        var pending = NewPending(state);
        var redisServer = redis.GetServer(redis.GetEndPoints()[0]);
        async Task<string[]> KeysAsync() => await redisServer.KeysAsync(pattern: unique + "*").Select(k => (string)k!).ToArrayAsync();

        await Expect.Right(store.Save(pending, default));
        var afterSave = await KeysAsync();
        await Expect.Right(store.Take(pending.State, default));
        var keys = afterSave.Union(await KeysAsync()).ToArray();
        Assert.NotEmpty(keys);
        var slots = keys.Select(ClusterSlot.Of).Distinct().ToArray();
        Assert.True(slots.Length == 1, "keys in different slots: " + string.Join(", ", keys.Select(k => $"'{k}' -> {ClusterSlot.Of(k)}")));
    }

    [Fact]
    public async Task Save_and_take_work_on_a_Redis_Cluster_node()
    {
        await using var node = await RedisServer.StartClusterNodeAsync();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(node.Configuration);
        Assert.Equal(ServerType.Cluster, redis.GetServer(redis.GetEndPoints()[0]).ServerType);
        // The slot rule the test above computes is the server's: the spec's check value, then CLUSTER KEYSLOT.
        Assert.Equal(0x31C3, ClusterSlot.Crc16("123456789"u8));
        foreach (var key in new[] { "plain", "a{tag}b", "a{}b{c}", "}{", "{{x}}", "p:{}abc}:used" })
            Assert.Equal((long)await redis.GetDatabase().ExecuteAsync("CLUSTER", "KEYSLOT", key), ClusterSlot.Of(key));
        foreach (var (prefix, state) in TrickyKeys.Select(row => ((string)row[0], (string)row[1])))
        {
            var store = new RedisPendingStore(redis, prefix, TimeProvider.System);
            var pending = NewPending(state);
            await Expect.Right(store.Save(pending, default));
            Assert.Equal(pending, await Expect.Right(store.Take(pending.State, default)));
            Assert.IsType<PkceError.StateReplayed>(await Expect.Left(store.Take(pending.State, default)));
        }
    }
}

/// <summary>
/// The Redis Cluster specification's key-to-slot rule (StackExchange.Redis computes it only on a cluster connection).
/// "HASH_SLOT = CRC16(key) mod 16384", where CRC16 is XMODEM (polynomial 0x1021, initial 0), and: "if the key
/// contains a "{" character and if there is a "}" character to its right, and if there are one or more characters
/// between the first occurrence of "{" and the first occurrence of "}", then instead of hashing the key, only what is
/// between the first occurrence of "{" and the following first occurrence of "}" is hashed."
/// </summary>
internal static class ClusterSlot
{
    public static int Of(string key)
    {
        var open = key.IndexOf('{');
        if (open >= 0)
        {
            var close = key.IndexOf('}', open + 1);
            if (close > open + 1) key = key[(open + 1)..close];
        }
        return Crc16(System.Text.Encoding.UTF8.GetBytes(key)) & 16383;
    }

    /// <summary>CRC16-XMODEM; the spec's check value: "123456789" gives 0x31C3.</summary>
    public static int Crc16(ReadOnlySpan<byte> bytes)
    {
        var crc = 0;
        foreach (var b in bytes)
        {
            crc ^= b << 8;
            for (var bit = 0; bit < 8; bit++) crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x1021) & 0xFFFF : (crc << 1) & 0xFFFF;
        }
        return crc;
    }
}
