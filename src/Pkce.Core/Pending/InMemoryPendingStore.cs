using System.Collections.Concurrent;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>
/// The default store: one process, thread-safe, single use, with expiry. A taken state is remembered (as a
/// tombstone without secrets) until its expiry so that a replay is reported as <see cref="PkceError.StateReplayed"/>
/// rather than <see cref="PkceError.StateUnknown"/>. Expired entries are swept at most once a minute, on writes.
/// </summary>
public sealed class InMemoryPendingStore
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;
    private long _nextSweepTicks;

    /// <summary>A store whose expiry is judged by <paramref name="clock"/>.</summary>
    public InMemoryPendingStore(TimeProvider clock) => _clock = clock ?? throw new ArgumentNullException(nameof(clock));

    /// <summary>A store on the system clock.</summary>
    public InMemoryPendingStore() : this(TimeProvider.System) { }

    /// <summary>Number of pending authorizations not yet taken nor expired.</summary>
    public int PendingCount
    {
        get
        {
            var now = _clock.GetUtcNow();
            return _entries.Values.Count(e => e.Pending is { } p && !p.IsExpiredAt(now));
        }
    }

    /// <summary>The store's two ports.</summary>
    public PendingStore Ports => new(Save, Take);

    /// <summary>Implements <see cref="SavePending"/>.</summary>
    public EitherAsync<PkceError, Unit> Save(PendingAuthorization pending, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        SweepIfDue();
        return _entries.TryAdd(pending.State.Value, new Entry(pending, pending.ExpiresAt))
            ? RightAsync<PkceError, Unit>(unit)
            : LeftAsync<PkceError, Unit>(new PkceError.StoreFailure("a pending authorization with this state already exists"));
    }

    /// <summary>Implements <see cref="TakePending"/>.</summary>
    public EitherAsync<PkceError, PendingAuthorization> Take(State state, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return TakeNow(state).ToAsync();
    }

    private Either<PkceError, PendingAuthorization> TakeNow(State state)
    {
        var now = _clock.GetUtcNow();
        while (_entries.TryGetValue(state.Value, out var entry))
        {
            if (entry.Pending is null) return new PkceError.StateReplayed();
            if (entry.Pending.IsExpiredAt(now))
            {
                _entries.TryRemove(KeyValuePair.Create(state.Value, entry));
                return new PkceError.StateExpired(entry.Pending.ExpiresAt);
            }
            // Compare-and-swap to a tombstone: of concurrent takers, exactly one succeeds.
            if (_entries.TryUpdate(state.Value, entry with { Pending = null }, entry)) return entry.Pending;
        }
        return new PkceError.StateUnknown();
    }

    private void SweepIfDue()
    {
        var now = _clock.GetUtcNow();
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweepTicks, (now + SweepInterval).UtcTicks, due) != due) return;
        foreach (var pair in _entries)
            if (now >= pair.Value.ForgetAt) _entries.TryRemove(pair);
    }

    /// <summary>A live pending authorization, or a tombstone (Pending null) of a taken one.</summary>
    private sealed record Entry(PendingAuthorization? Pending, DateTimeOffset ForgetAt);
}
