using System.Collections.Concurrent;
using LanguageExt;
using Pkce.Http;

namespace Pkce;

/// <summary>
/// Metadata per issuer, fetched once and kept for a lifetime. Single flight: however many callers ask for an issuer
/// at once, one fetch is made and all of them get its result. A failed fetch is not kept: the next caller tries
/// again. The shared fetch runs on its own deadline (<see cref="Timeout"/>), so one caller's cancellation cancels
/// only that caller's wait.
/// </summary>
public sealed class MetadataCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly HttpPort _http;
    private readonly TimeProvider _clock;

    /// <summary>A cache that fetches through <paramref name="http"/> and keeps documents for <paramref name="lifetime"/>.</summary>
    public MetadataCache(HttpPort http, TimeProvider clock, TimeSpan lifetime, TimeSpan timeout)
    {
        (_http, _clock) = (http ?? throw new ArgumentNullException(nameof(http)), clock ?? throw new ArgumentNullException(nameof(clock)));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        (Lifetime, Timeout) = (lifetime, timeout);
    }

    /// <summary>How long a fetched document is used.</summary>
    public TimeSpan Lifetime { get; }

    /// <summary>The deadline of one fetch.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Number of metadata fetches started (for tests and benchmarks of the single flight).</summary>
    public long Fetches => Interlocked.Read(ref _fetches);

    private long _fetches;

    /// <summary>The metadata of <paramref name="issuer"/>, from the cache while it is fresh.</summary>
    public EitherAsync<PkceError, ServerMetadata> Get(string issuer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        // The common case, a fresh document already fetched, costs a lookup and no allocation (docs/benchmarks.md §6).
        if (_entries.TryGetValue(issuer, out var entry) && entry.Ready is { } ready && _clock.GetElapsedTime(entry.Started) < Lifetime)
            return ready.Value;
        return GetAsync(issuer, cancellationToken).ToAsync();
    }

    private async Task<Either<PkceError, ServerMetadata>> GetAsync(string issuer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var entry = _entries.GetOrAdd(issuer, static (key, cache) => cache.Start(key), this);
            if (entry.Fetch.IsCompleted && entry.Fetch.Result.IsRight && _clock.GetElapsedTime(entry.Started) >= Lifetime)
            {
                // Stale: the first caller to notice replaces it; the others see the replacement.
                _entries.TryUpdate(issuer, Start(issuer), entry);
                continue;
            }
            return await entry.Fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private Entry Start(string issuer)
    {
        Entry? entry = null;
        entry = new Entry(_clock.GetTimestamp(), new Lazy<Task<Either<PkceError, ServerMetadata>>>(() =>
        {
            Interlocked.Increment(ref _fetches);
            var fetch = Discovery.Fetch(_http, issuer, Timeout, CancellationToken.None).ToEither();
            // A failure leaves the table as soon as it is known, whether or not anyone was still waiting for it.
            _ = fetch.ContinueWith(done =>
                {
                    if (done.Result.IsLeft) _entries.TryRemove(KeyValuePair.Create(issuer, entry!));
                    else entry!.Ready = new Published(done.Result.ToAsync());
                },
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously | TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            return fetch;
        }));
        return entry;
    }

    private sealed record Published(EitherAsync<PkceError, ServerMetadata> Value);

    /// <summary>A fetch and when it started, on the monotonic clock (a wall-clock step does not stretch a lifetime).</summary>
    private sealed record Entry(long Started, Lazy<Task<Either<PkceError, ServerMetadata>>> Lazy)
    {
        public Task<Either<PkceError, ServerMetadata>> Fetch => Lazy.Value;

        /// <summary>The fetched document, once there is one, as callers receive it (published by one reference write).</summary>
        public Published? Ready { get; set; }
    }
}
