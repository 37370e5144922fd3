using System.Collections.Concurrent;

namespace Pkce.AspNetCore;

/// <summary>
/// How many connections one user may start at one provider within a pending lifetime
/// (<see cref="PkceAspNetCoreOptions.MaxStartsPerUser"/>): each start stores a pending authorization for that long
/// and, with pushed requests, sends one to the provider with the app's credentials, so an unlimited start endpoint
/// lets one account fill the store and spend the app's rate limit at the provider. Counted per app instance.
/// </summary>
internal sealed class StartLimiter(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Queue<long>> _starts = new(StringComparer.Ordinal);

    /// <summary>Counts a start of <paramref name="user"/> at <paramref name="provider"/> if fewer than <paramref name="limit"/> were made within <paramref name="window"/>; false when over.</summary>
    public bool TryStart(string provider, string user, int limit, TimeSpan window)
    {
        if (limit == int.MaxValue) return true; // no limit: nothing to count
        var key = $"{provider.Length}:{provider}|{user}";
        var now = clock.GetTimestamp();
        var starts = _starts.GetOrAdd(key, _ => new Queue<long>());
        lock (starts)
        {
            while (starts.Count > 0 && clock.GetElapsedTime(starts.Peek(), now) >= window) starts.Dequeue();
            if (starts.Count >= limit) return false;
            starts.Enqueue(now);
        }
        if (_starts.Count > 10_000) Sweep(window, now);
        return true;
    }

    /// <summary>Drops users whose starts have all lapsed, so the table holds only recent starters.</summary>
    private void Sweep(TimeSpan window, long now)
    {
        foreach (var (key, starts) in _starts)
            lock (starts)
                if (starts.Count == 0 || clock.GetElapsedTime(starts.Peek(), now) >= window && clock.GetElapsedTime(starts.Last(), now) >= window)
                    _starts.TryRemove(KeyValuePair.Create(key, starts));
    }
}
