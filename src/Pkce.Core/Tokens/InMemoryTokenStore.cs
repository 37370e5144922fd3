using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>
/// Tokens in this process's memory: thread-safe, compare-and-swap by version, leases that lapse by the
/// <see cref="TimeProvider"/>'s monotonic clock. For a CLI or a single server; a web farm shares SQLite or Redis instead.
/// </summary>
public sealed class InMemoryTokenStore
{
    private readonly Dictionary<string, StoredTokens> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Holder, long Until)> _leases = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly TimeProvider _clock;

    /// <summary>A store whose leases lapse by <paramref name="clock"/>.</summary>
    public InMemoryTokenStore(TimeProvider clock) => _clock = clock ?? throw new ArgumentNullException(nameof(clock));

    /// <summary>A store on the system clock.</summary>
    public InMemoryTokenStore() : this(TimeProvider.System) { }

    /// <summary>The store's ports.</summary>
    public TokenStore Ports => new(Load, Swap, Delete, Acquire, Release);

    /// <summary>Implements <see cref="LoadTokens"/>.</summary>
    public EitherAsync<PkceError, StoredTokens> Load(TokenKey key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate) return RightAsync<PkceError, StoredTokens>(_tokens.GetValueOrDefault(key.Value) ?? StoredTokens.Nothing);
    }

    /// <summary>Implements <see cref="SwapTokens"/>.</summary>
    public EitherAsync<PkceError, bool> Swap(TokenKey key, long expectedVersion, StoredTokens next, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var current = _tokens.GetValueOrDefault(key.Value)?.Version ?? 0;
            if (current != expectedVersion) return RightAsync<PkceError, bool>(false);
            _tokens[key.Value] = next with { Version = expectedVersion + 1 };
            return RightAsync<PkceError, bool>(true);
        }
    }

    /// <summary>Implements <see cref="DeleteTokens"/>.</summary>
    public EitherAsync<PkceError, Unit> Delete(TokenKey key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate) _tokens.Remove(key.Value);
        return RightAsync<PkceError, Unit>(unit);
    }

    /// <summary>Implements <see cref="AcquireLease"/>.</summary>
    public EitherAsync<PkceError, bool> Acquire(TokenKey key, string holder, TimeSpan ttl, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Measured on the monotonic clock: a wall-clock step (NTP, a resumed VM) neither shortens nor stretches a lease.
        var now = _clock.GetTimestamp();
        lock (_gate)
        {
            if (_leases.TryGetValue(key.Value, out var lease) && lease.Until > now && lease.Holder != holder) return RightAsync<PkceError, bool>(false);
            _leases[key.Value] = (holder, now + (long)(ttl.TotalSeconds * _clock.TimestampFrequency));
            return RightAsync<PkceError, bool>(true);
        }
    }

    /// <summary>Implements <see cref="ReleaseLease"/>.</summary>
    public EitherAsync<PkceError, Unit> Release(TokenKey key, string holder, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
            if (_leases.TryGetValue(key.Value, out var lease) && lease.Holder == holder) _leases.Remove(key.Value);
        return RightAsync<PkceError, Unit>(unit);
    }
}
