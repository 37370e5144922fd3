using System.Globalization;
using LanguageExt;
using StackExchange.Redis;
using static LanguageExt.Prelude;

namespace Pkce.Stores.Redis;

/// <summary>
/// Tokens in Redis, for a <see cref="TokenSource"/> on several instances of an application: they share the tokens of
/// each <see cref="TokenKey"/> and, through the refresh lease, send each refresh token once. Every Redis failure
/// (unreachable, timeout, error reply, a command the client refuses) becomes a <see cref="PkceError.StoreFailure"/>;
/// a cancelled caller gets an <see cref="OperationCanceledException"/> before anything is sent (a command already
/// sent cannot be recalled).
/// <para>
/// Keys: the tokens of a key are one hash, <c>prefix + "{" + id + "}"</c>, with the fields <c>version</c> and
/// <c>payload</c> (<see cref="TokenCodec"/> text), where <c>id</c> is <see cref="TokenKey.Id"/>, 64 hex digits. A
/// swap is one Lua script on that one key: it compares the version and writes both fields, atomically, and works on
/// Redis Cluster since it names a single key. The refresh lease is a string, <c>prefix + "{" + id + "}:lease"</c>,
/// holding its holder, with a lifetime Redis enforces (<c>SET … PX</c>); a Lua script on that key takes it when it
/// is free or already the caller's, and another gives it back only if the caller still holds it. No script names
/// both keys. They share a cluster slot all the same: Redis Cluster hashes only what lies between a key's first
/// <c>{</c> and the first <c>}</c> after it, and here both keys read the same up to and including the brace that
/// closes the id; the user, resource and scope are hashed into the id, so no brace of theirs can move the tag. The
/// one prefix that could (its first <c>{</c> directly followed by <c>}</c>, an empty tag, after which Redis hashes
/// each whole key) is refused by the constructor.
/// </para>
/// <para>
/// Tokens are kept without expiry (a refresh token may live for months); <see cref="Delete"/> removes them. The
/// payload is the tokens in clear text: protect Redis as you would the tokens (ACLs, TLS, no persistence to shared
/// disks).
/// </para>
/// </summary>
public sealed class RedisTokenStore
{
    /// <summary>The default key prefix.</summary>
    public const string DefaultPrefix = "pkce:tokens:";

    // KEYS[1] the tokens hash; ARGV[1] the expected version, ARGV[2] the next, ARGV[3] the payload. 1 if written.
    private const string SwapScript = """
        local current = redis.call('HGET', KEYS[1], 'version') or '0'
        if current ~= ARGV[1] then return 0 end
        redis.call('HSET', KEYS[1], 'version', ARGV[2], 'payload', ARGV[3])
        return 1
        """;

    // KEYS[1] the lease; ARGV[1] the holder, ARGV[2] the lifetime in milliseconds. 1 if taken (or extended).
    private const string AcquireScript = """
        local holder = redis.call('GET', KEYS[1])
        if holder and holder ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return 1
        """;

    // KEYS[1] the lease; ARGV[1] the holder. Deletes the lease only if the holder still holds it.
    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
        return 1
        """;

    private readonly IDatabase _redis;
    private readonly string _prefix;

    /// <summary>A store on <paramref name="redis"/>, keys under <paramref name="prefix"/>.</summary>
    /// <exception cref="ArgumentException">The prefix is empty, or its first <c>{</c> is directly followed by <c>}</c>.</exception>
    public RedisTokenStore(IConnectionMultiplexer redis, string prefix)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var open = prefix.IndexOf('{');
        if (open >= 0 && open + 1 < prefix.Length && prefix[open + 1] == '}')
            throw new ArgumentException(
                "the prefix's first '{' is directly followed by '}': Redis Cluster would hash each whole key, and a key's tokens and lease could land in different slots",
                nameof(prefix));
        _redis = redis.GetDatabase();
        _prefix = prefix;
    }

    /// <summary>A store on <paramref name="redis"/> with the default prefix.</summary>
    public RedisTokenStore(IConnectionMultiplexer redis) : this(redis, DefaultPrefix) { }

    /// <summary>The store's ports.</summary>
    public TokenStore Ports => new(Load, Swap, Delete, Acquire, Release);

    /// <summary>The hash that holds the version and tokens of <paramref name="key"/>.</summary>
    public string TokensKey(TokenKey key) => $"{_prefix}{{{key.Id}}}";

    /// <summary>The string that holds the refresh lease of <paramref name="key"/>.</summary>
    public string LeaseKey(TokenKey key) => TokensKey(key) + ":lease";

    /// <summary>Implements <see cref="LoadTokens"/>: one <c>HMGET</c>, so version and payload are read together.</summary>
    public EitherAsync<PkceError, StoredTokens> Load(TokenKey key, CancellationToken cancellationToken) =>
        RedisCall.Run(cancellationToken, async () =>
        {
            var fields = await _redis.HashGetAsync(TokensKey(key), ["version", "payload"]).WaitAsync(cancellationToken);
            if (fields[0].IsNull && fields[1].IsNull) return StoredTokens.Nothing;
            return long.TryParse((string?)fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                ? TokenCodec.Decode(version, (string?)fields[1])
                : Left<PkceError, StoredTokens>(new PkceError.StoreFailure("stored tokens are corrupt: version"));
        });

    /// <summary>Implements <see cref="SwapTokens"/>.</summary>
    public EitherAsync<PkceError, bool> Swap(TokenKey key, long expectedVersion, StoredTokens next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        return RedisCall.Run(cancellationToken, async () =>
        {
            var result = await _redis.ScriptEvaluateAsync(SwapScript, [TokensKey(key)],
                [expectedVersion.ToString(CultureInfo.InvariantCulture), (expectedVersion + 1).ToString(CultureInfo.InvariantCulture), TokenCodec.Encode(next)])
                .WaitAsync(cancellationToken);
            return Right<PkceError, bool>((long)result == 1);
        });
    }

    /// <summary>Implements <see cref="DeleteTokens"/>: the key's version starts again at 0. The lease is left to lapse or be released.</summary>
    public EitherAsync<PkceError, Unit> Delete(TokenKey key, CancellationToken cancellationToken) =>
        RedisCall.Run(cancellationToken, async () =>
        {
            await _redis.KeyDeleteAsync(TokensKey(key)).WaitAsync(cancellationToken);
            return Right<PkceError, Unit>(unit);
        });

    /// <summary>Implements <see cref="AcquireLease"/>: taken if nobody holds it or <paramref name="holder"/> does (then its lifetime starts again).</summary>
    public EitherAsync<PkceError, bool> Acquire(TokenKey key, string holder, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        // Redis refuses a lifetime below one millisecond; a shorter lease is one that lapses at once.
        var milliseconds = Math.Max(1L, (long)Math.Ceiling(ttl.TotalMilliseconds));
        return RedisCall.Run(cancellationToken, async () =>
        {
            var result = await _redis.ScriptEvaluateAsync(AcquireScript, [LeaseKey(key)], [holder, milliseconds]).WaitAsync(cancellationToken);
            return Right<PkceError, bool>((long)result == 1);
        });
    }

    /// <summary>Implements <see cref="ReleaseLease"/>: compare-and-delete in one script.</summary>
    public EitherAsync<PkceError, Unit> Release(TokenKey key, string holder, CancellationToken cancellationToken) =>
        RedisCall.Run(cancellationToken, async () =>
        {
            await _redis.ScriptEvaluateAsync(ReleaseScript, [LeaseKey(key)], [holder]).WaitAsync(cancellationToken);
            return Right<PkceError, Unit>(unit);
        });
}
