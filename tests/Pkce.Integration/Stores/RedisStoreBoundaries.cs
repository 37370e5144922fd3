using Microsoft.Extensions.Time.Testing;
using Pkce.Stores.Redis;
using StackExchange.Redis;

namespace Pkce.Integration.Stores;

/// <summary>
/// The edges of the Redis stores: arguments refused at the door, the instant an entry is too old to save or take,
/// entries missing a part, the words of the failures, and a cancelled save.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisStoreBoundaries(RedisServer server)
{
    private static readonly PkceConfig Config = Pkce.Config.Validate(new PkceSettings
    {
        ClientId = "c", RedirectUri = "http://127.0.0.1:8000/callback",
        AuthorizationEndpoint = "https://as.example/authorize", TokenEndpoint = "https://as.example/token",
    }).Match(c => c, e => throw new InvalidOperationException(e.ToString()));

    private static readonly TokenKey Key = new(UserKey.From("alice").IfLeft(_ => null!), "api", "read");

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));

    private PendingAuthorization Pending(TimeSpan lifetime)
    {
        var now = _clock.GetUtcNow();
        return PendingAuthorization.For(Config, Secrets.Generate(), UserKey.From("u").IfLeft(_ => null!), now) with { ExpiresAt = now + lifetime };
    }

    private static StoredTokens Tokens() =>
        new(0, Some(new TokenSet("at-" + Guid.NewGuid().ToString("N"), "Bearer", None, None, None, DateTimeOffset.UnixEpoch)), None);

    private static string Prefix(string what) => $"{what}:{Guid.NewGuid():N}:";


    [Fact]
    public async Task Missing_connections_prefixes_clocks_and_holders_are_refused_at_the_door()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        Assert.Throws<ArgumentNullException>(() => new RedisPendingStore(null!, "p:", TimeProvider.System));
        Assert.Throws<ArgumentException>(() => new RedisPendingStore(redis, "", TimeProvider.System));
        Assert.Throws<ArgumentNullException>(() => new RedisPendingStore(redis, null!, TimeProvider.System));
        Assert.Throws<ArgumentNullException>(() => new RedisPendingStore(redis, "p:", null!));
        Assert.Throws<ArgumentNullException>(() => new RedisTokenStore(null!, "p:"));
        Assert.Throws<ArgumentException>(() => new RedisTokenStore(redis, ""));
        Assert.Throws<ArgumentNullException>(() => new RedisTokenStore(redis, null!));
        var store = new RedisTokenStore(redis, Prefix("arguments"));
        Assert.Throws<ArgumentNullException>(() => store.Swap(Key, 0, null!, default));
        Assert.Throws<ArgumentException>(() => store.Acquire(Key, "", TimeSpan.FromMinutes(1), default));
        Assert.Throws<ArgumentNullException>(() => store.Acquire(Key, null!, TimeSpan.FromMinutes(1), default));
    }

    [Fact]
    public void A_prefix_whose_first_brace_is_directly_closed_is_refused_with_the_reason()
    {
        using var redis = ConnectionMultiplexer.Connect(server.Configuration);
        var error = Assert.Throws<ArgumentException>(() => new RedisTokenStore(redis, "app{}:"));
        Assert.Equal("prefix", error.ParamName);
        Assert.StartsWith(
            "the prefix's first '{' is directly followed by '}': Redis Cluster would hash each whole key, and a key's tokens and lease could land in different slots",
            error.Message);
    }

    [Fact]
    public async Task A_second_save_of_a_state_is_refused_with_its_reason()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var store = new RedisPendingStore(redis, Prefix("twice"), _clock);
        var pending = Pending(TimeSpan.FromMinutes(5));
        await Expect.Right(store.Save(pending, default));
        var error = Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Save(pending, default)));
        Assert.Equal("a pending authorization with this state already exists", error.Reason);
    }

    [Fact]
    public async Task A_pending_authorization_is_saved_until_the_millisecond_before_its_expiry_and_refused_from_that_instant()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var prefix = Prefix("save-edge");
        var store = new RedisPendingStore(redis, prefix, _clock);
        var last = Pending(TimeSpan.FromMilliseconds(1));
        await Expect.Right(store.Save(last, default));
        var expired = Pending(TimeSpan.Zero);
        Assert.Equal(expired.ExpiresAt, Assert.IsType<PkceError.StateExpired>(await Expect.Left(store.Save(expired, default))).ExpiredAt);
        Assert.False(await redis.GetDatabase().KeyExistsAsync(prefix + expired.State.Value));
    }

    [Fact]
    public async Task A_take_judges_expiry_by_the_stores_clock_even_while_Redis_still_keeps_the_entry()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var store = new RedisPendingStore(redis, Prefix("take-edge"), _clock);
        var early = Pending(TimeSpan.FromMinutes(5));
        var late = Pending(TimeSpan.FromMinutes(5));
        await Expect.Right(store.Save(early, default));
        await Expect.Right(store.Save(late, default));
        _clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(early, await Expect.Right(store.Take(early.State, default)));
        _clock.Advance(TimeSpan.FromMilliseconds(1)); // the store's clock reaches the expiry; Redis's has not
        Assert.Equal(late.ExpiresAt, Assert.IsType<PkceError.StateExpired>(await Expect.Left(store.Take(late.State, default))).ExpiredAt);
        Assert.IsType<PkceError.StateReplayed>(await Expect.Left(store.Take(late.State, default)));
    }

    [Theory]
    [InlineData("payload")]
    [InlineData("version")]
    public async Task A_tokens_entry_missing_one_field_is_a_store_failure(string missing)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var store = new RedisTokenStore(redis, Prefix("half"));
        await Expect.Right(store.Swap(Key, 0, Tokens(), default));
        await redis.GetDatabase().HashDeleteAsync(store.TokensKey(Key), missing);
        var error = Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Load(Key, default)));
        Assert.StartsWith("stored tokens are corrupt", error.Reason);
    }

    [Fact]
    public async Task A_stopped_server_is_named_by_the_kind_of_the_failure_on_one_line()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Ports.Free()},abortConnect=false,connectTimeout=500,syncTimeout=500,asyncTimeout=500");
        var error = Assert.IsType<PkceError.StoreFailure>(await Expect.Left(new RedisTokenStore(redis).Load(Key, default)));
        Assert.StartsWith("Redis: RedisConnectionException: ", error.Reason);
        Assert.DoesNotContain('\n', error.Reason);
        Assert.Equal(error.Reason.Trim(), error.Reason);
    }

    [Fact]
    public async Task A_command_the_client_refuses_to_send_is_a_store_failure_in_the_clients_words()
    {
        // The command map disables EVAL and EVALSHA: the client refuses every script before sending it.
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration + ",$EVAL=,$EVALSHA=,$SET=");
        var tokens = new RedisTokenStore(redis, Prefix("refused"));
        var error = Assert.IsType<PkceError.StoreFailure>(await Expect.Left(tokens.Swap(Key, 0, Tokens(), default)));
        Assert.StartsWith("Redis: This operation has been disabled in the command-map and cannot be used: EVAL", error.Reason);
        var pending = new RedisPendingStore(redis, Prefix("refused"), _clock);
        Assert.StartsWith("Redis: This operation has been disabled in the command-map and cannot be used: SET",
            Assert.IsType<PkceError.StoreFailure>(await Expect.Left(pending.Save(Pending(TimeSpan.FromMinutes(5)), default))).Reason);
    }

    [Fact]
    public async Task A_cancelled_save_sends_nothing()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var prefix = Prefix("cancelled");
        var store = new RedisPendingStore(redis, prefix, _clock);
        var pending = Pending(TimeSpan.FromMinutes(5));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.Save(pending, cancelled.Token).ToEither());
        Assert.False(await redis.GetDatabase().KeyExistsAsync(prefix + pending.State.Value));
        await Expect.Right(store.Save(pending, default));
    }
}
