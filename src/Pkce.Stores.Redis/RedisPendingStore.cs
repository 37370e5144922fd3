using LanguageExt;
using StackExchange.Redis;
using static LanguageExt.Prelude;

namespace Pkce.Stores.Redis;

/// <summary>
/// Pending authorizations in Redis, for applications that run on several instances: the callback may land on any
/// of them. Each entry is one key (<c>prefix + state</c>) whose expiry Redis itself enforces (<c>SET … PX … NX</c>).
/// A take is one Lua script run atomically on the server: <c>GETDEL</c> the entry and leave a tombstone key for the
/// rest of its lifetime, so of two instances racing on one callback exactly one wins, and a replay is reported as
/// such. Every Redis failure (unreachable, timeout, error reply) becomes a <see cref="PkceError.StoreFailure"/>.
/// </summary>
public sealed class RedisPendingStore
{
    /// <summary>The default key prefix.</summary>
    public const string DefaultPrefix = "pkce:pending:";

    // KEYS[1] entry, KEYS[2] tombstone. Returns the entry, or 1 for a replay, or nil for an unknown state.
    private const string TakeScript = """
        local ttl = redis.call('PTTL', KEYS[1])
        local entry = redis.call('GETDEL', KEYS[1])
        if entry then
          if ttl > 0 then redis.call('SET', KEYS[2], '1', 'PX', ttl) end
          return entry
        end
        return redis.call('EXISTS', KEYS[2])
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
        Run(cancellationToken, async () =>
        {
            var lifetime = pending.ExpiresAt - _clock.GetUtcNow();
            if (lifetime <= TimeSpan.Zero) return Left<PkceError, Unit>(new PkceError.StateExpired(pending.ExpiresAt));
            var written = await _redis.StringSetAsync(Entry(pending.State), PendingCodec.Encode(pending), lifetime, When.NotExists)
                .WaitAsync(cancellationToken);
            return written
                ? Right<PkceError, Unit>(unit)
                : Left<PkceError, Unit>(new PkceError.StoreFailure("a pending authorization with this state already exists"));
        });

    /// <summary>Implements <see cref="TakePending"/>.</summary>
    public EitherAsync<PkceError, PendingAuthorization> Take(State state, CancellationToken cancellationToken) =>
        Run(cancellationToken, async () =>
        {
            var result = await _redis.ScriptEvaluateAsync(TakeScript, [Entry(state), Tombstone(state)]).WaitAsync(cancellationToken);
            if (result.Resp2Type == ResultType.BulkString)
                return PendingCodec.Decode((string)result!).Bind(pending =>
                    pending.IsExpiredAt(_clock.GetUtcNow())
                        ? Left<PkceError, PendingAuthorization>(new PkceError.StateExpired(pending.ExpiresAt))
                        : Right<PkceError, PendingAuthorization>(pending));
            return (long)result == 1
                ? Left<PkceError, PendingAuthorization>(new PkceError.StateReplayed())
                : Left<PkceError, PendingAuthorization>(new PkceError.StateUnknown());
        });

    private RedisKey Entry(State state) => _prefix + state.Value;

    private RedisKey Tombstone(State state) => _prefix + "used:" + state.Value;

    private static EitherAsync<PkceError, T> Run<T>(CancellationToken cancellationToken, Func<Task<Either<PkceError, T>>> work) =>
        RunAsync(cancellationToken, work).ToAsync();

    private static async Task<Either<PkceError, T>> RunAsync<T>(CancellationToken cancellationToken, Func<Task<Either<PkceError, T>>> work)
    {
        // A command already sent cannot be recalled; a cancelled caller is told so before anything is sent.
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return await work();
        }
        catch (RedisException e)
        {
            // StackExchange.Redis messages name the command and endpoint; keys and values are not included.
            return new PkceError.StoreFailure($"Redis: {e.GetType().Name}: {FirstLine(e.Message)}");
        }
        catch (TimeoutException e)
        {
            return new PkceError.StoreFailure($"Redis: timeout: {FirstLine(e.Message)}");
        }
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
