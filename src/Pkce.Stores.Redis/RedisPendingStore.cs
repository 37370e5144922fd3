using LanguageExt;
using StackExchange.Redis;
using static LanguageExt.Prelude;

namespace Pkce.Stores.Redis;

/// <summary>
/// Pending authorizations in Redis, for applications that run on several instances: the callback may land on any
/// of them. Each state has one key, <c>prefix + state</c>, whose expiry Redis itself enforces (<c>SET … PX … NX</c>).
/// A take is one Lua script run atomically on the server: it reads the entry and overwrites it in the same key with a
/// tombstone for the rest of its lifetime (<c>KEEPTTL</c>), so of two instances racing on one callback exactly one
/// wins, and a replay is reported as such. Every Redis failure (unreachable, timeout, error reply) becomes a
/// <see cref="PkceError.StoreFailure"/>.
/// <para>
/// One key per state, holding first the entry and then the tombstone, rather than a second key for the tombstone:
/// a state is any VSCHAR string (RFC 6749 Appendix A.5: <c>state = 1*VSCHAR</c>), so a tombstone key made by adding
/// text to the state (<c>prefix + "used:" + S</c>) is the entry key of another state (<c>"used:" + S</c>), and two keys
/// need not share a Redis Cluster slot, which makes the script fail with CROSSSLOT. A hash tag cannot repair the
/// second for every input: the cluster hashes only what lies between the key's first <c>{</c> and the first
/// <c>}</c> after it, and if nothing does (a prefix holding <c>{}</c>, or <c>prefix + "{" + state + "}"</c> with a
/// state that starts with <c>}</c>) it hashes each whole key. With one key, <c>prefix + state</c> differs for
/// different states under one prefix, entries and tombstones cannot meet, and every command and script names a single
/// key, hence a single slot, whatever the state or the prefix contains. An entry is told from a tombstone by its value:
/// <see cref="PendingCodec.Encode"/> writes a JSON object, which never equals the tombstone's text. A save of a state
/// whose tombstone still lives is refused, as in the SQLite store.
/// </para>
/// </summary>
public sealed class RedisPendingStore
{
    /// <summary>The default key prefix.</summary>
    public const string DefaultPrefix = "pkce:pending:";

    // KEYS[1] the state's key. Returns the entry (leaving the tombstone with the entry's remaining lifetime),
    // or 1 for a replay, or 0 for an unknown (or expired) state.
    private const string TakeScript = """
        local value = redis.call('GET', KEYS[1])
        if not value then return 0 end
        if value == 'taken' then return 1 end
        redis.call('SET', KEYS[1], 'taken', 'KEEPTTL')
        return value
        """;

    private readonly IDatabase _redis;
    private readonly string _prefix;
    private readonly TimeProvider _clock;

    /// <summary>A store on <paramref name="redis"/>, keys under <paramref name="prefix"/>, TTLs from <paramref name="clock"/>.</summary>
    public RedisPendingStore(IConnectionMultiplexer redis, string prefix, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        _redis = redis.GetDatabase();
        _prefix = prefix;
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
    }

    /// <summary>A store on <paramref name="redis"/> with the default prefix and the system clock.</summary>
    public RedisPendingStore(IConnectionMultiplexer redis) : this(redis, DefaultPrefix, TimeProvider.System) { }

    /// <summary>The store's two ports.</summary>
    public PendingStore Ports => new(Save, Take);

    /// <summary>Implements <see cref="SavePending"/>: the entry lives until its expiry, by Redis's own clock.</summary>
    public EitherAsync<PkceError, Unit> Save(PendingAuthorization pending, CancellationToken cancellationToken) =>
        RedisCall.Run(cancellationToken, async () =>
        {
            var lifetime = pending.ExpiresAt - _clock.GetUtcNow();
            if (lifetime <= TimeSpan.Zero) return Left<PkceError, Unit>(new PkceError.StateExpired(pending.ExpiresAt));
            var written = await _redis.StringSetAsync(Key(pending.State), PendingCodec.Encode(pending), lifetime, When.NotExists)
                .WaitAsync(cancellationToken);
            return written
                ? Right<PkceError, Unit>(unit)
                : Left<PkceError, Unit>(new PkceError.StoreFailure("a pending authorization with this state already exists"));
        });

    /// <summary>Implements <see cref="TakePending"/>.</summary>
    public EitherAsync<PkceError, PendingAuthorization> Take(State state, CancellationToken cancellationToken) =>
        RedisCall.Run(cancellationToken, async () =>
        {
            var result = await _redis.ScriptEvaluateAsync(TakeScript, [Key(state)]).WaitAsync(cancellationToken);
            if (result.Resp2Type == ResultType.BulkString)
                return PendingCodec.Decode((string)result!).Bind(pending =>
                    pending.IsExpiredAt(_clock.GetUtcNow())
                        ? Left<PkceError, PendingAuthorization>(new PkceError.StateExpired(pending.ExpiresAt))
                        : Right<PkceError, PendingAuthorization>(pending));
            return (long)result == 1
                ? Left<PkceError, PendingAuthorization>(new PkceError.StateReplayed())
                : Left<PkceError, PendingAuthorization>(new PkceError.StateUnknown());
        });

    /// <summary>The one key of a state: its entry until the first take, then its tombstone until the entry's expiry.</summary>
    private RedisKey Key(State state) => _prefix + state.Value;
}
