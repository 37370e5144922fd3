using System.Collections.Concurrent;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>Settings of a <see cref="TokenSource"/>.</summary>
/// <param name="Margin">An access token this close to its expiry is renewed before it is handed out.</param>
/// <param name="LeaseWait">How long a caller waits for another process's refresh before giving up.</param>
public sealed record TokenSourceOptions(TimeSpan Margin, TimeSpan LeaseWait)
{
    /// <summary>A minute of margin; waits up to a minute for another process's refresh.</summary>
    public static readonly TokenSourceOptions Default = new(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
}

/// <summary>
/// Hands out a valid access token per <see cref="TokenKey"/> and keeps it valid: a token within the margin of its
/// expiry is renewed with the refresh token (RFC 6749 §6). Concurrent callers share one refresh: in this process
/// through one in-flight task per key; across processes that share a store through the store's lease, taken before
/// the refresh token is sent, so one refresh token is redeemed once (a server with reuse detection revokes the whole
/// grant otherwise). The renewed tokens, with a rotated refresh token, are written with compare-and-swap before any
/// caller receives the new access token. A refused refresh token (<c>invalid_grant</c>) marks the key as needing a
/// new login (<see cref="PkceError.LoginRequired"/>), without retrying; other failures are returned as they are.
/// </summary>
public sealed class TokenSource
{
    private readonly PkceConfig _config;
    private readonly Dependencies _deps;
    private readonly TokenStore _store;
    private readonly TokenSourceOptions _options;
    private readonly ConcurrentDictionary<string, Lazy<Task<Either<PkceError, TokenSet>>>> _flights = new(StringComparer.Ordinal);
    private readonly string _holder = Convert.ToHexString(Guid.NewGuid().ToByteArray());
    private long _refreshes;

    /// <summary>A source for the client of <paramref name="config"/>, keeping tokens in <paramref name="store"/>.</summary>
    public TokenSource(PkceConfig config, Dependencies deps, TokenStore store, TokenSourceOptions? options = null)
    {
        (_config, _deps, _store) = (config ?? throw new ArgumentNullException(nameof(config)), deps ?? throw new ArgumentNullException(nameof(deps)),
            store ?? throw new ArgumentNullException(nameof(store)));
        _options = options ?? TokenSourceOptions.Default;
    }

    /// <summary>Refresh requests this source has sent (for tests and benchmarks of the single flight).</summary>
    public long Refreshes => Interlocked.Read(ref _refreshes);

    /// <summary>Keeps the tokens of a completed login (or replaces older ones) for <paramref name="key"/>.</summary>
    public EitherAsync<PkceError, TokenSet> Save(TokenKey key, TokenResponse response, CancellationToken cancellationToken)
    {
        var tokens = TokenSet.From(response, _deps.Clock.GetUtcNow());
        return SaveAsync(key, tokens, cancellationToken).ToAsync();
    }

    private async Task<Either<PkceError, TokenSet>> SaveAsync(TokenKey key, TokenSet tokens, CancellationToken cancellationToken)
    {
        while (true)
        {
            var current = await _store.Load(key, cancellationToken).ToEither().ConfigureAwait(false);
            if (current.IsLeft) return current.Map(_ => tokens);
            var version = current.Map(c => c.Version).IfLeft(0);
            var written = await _store.Swap(key, version, new StoredTokens(0, Some(tokens), None), cancellationToken).ToEither().ConfigureAwait(false);
            if (written.IsLeft) return written.Map(_ => tokens);
            if (written.IfLeft(false)) return tokens;
        }
    }

    /// <summary>
    /// A valid access token for <paramref name="key"/>: the stored one while it is fresh, else a renewed one.
    /// </summary>
    public EitherAsync<PkceError, TokenSet> Get(TokenKey key, CancellationToken cancellationToken) =>
        GetAsync(key, force: false, cancellationToken).ToAsync();

    /// <summary>Renews the access token of <paramref name="key"/> now, whatever its expiry (still one refresh for concurrent callers).</summary>
    public EitherAsync<PkceError, TokenSet> Refresh(TokenKey key, CancellationToken cancellationToken) =>
        GetAsync(key, force: true, cancellationToken).ToAsync();

    private async Task<Either<PkceError, TokenSet>> GetAsync(TokenKey key, bool force, CancellationToken cancellationToken)
    {
        var stored = await _store.Load(key, cancellationToken).ToEither().ConfigureAwait(false);
        if (stored.IsLeft) return stored.Map(_ => default(TokenSet)!);
        var current = stored.IfLeft(StoredTokens.Nothing);
        if (Usable(current) is { } error) return error;
        var tokens = current.Tokens.IfNone(() => throw new InvalidOperationException());
        if (!force && tokens.IsFreshAt(_deps.Clock.GetUtcNow(), _options.Margin)) return tokens;

        // One refresh per key in this process: the first caller starts it, the others wait for the same task.
        var flight = new Lazy<Task<Either<PkceError, TokenSet>>>(() => RenewAsync(key, current.Version));
        var shared = _flights.GetOrAdd(key.Value, flight);
        // The flight removes itself when done, even if every caller stopped waiting, so a later caller never gets an old result.
        if (ReferenceEquals(shared, flight))
            _ = flight.Value.ContinueWith(_ => _flights.TryRemove(KeyValuePair.Create(key.Value, flight)), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return await shared.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Logs the key out: revokes its refresh token, then its access token (RFC 7009 §2.1 lets a server revoke the
    /// access tokens of a revoked refresh token's grant, "SHOULD", not must), and forgets the tokens whatever the
    /// server said, so a logout works offline too. Returns the first revocation error, if any (the tokens are
    /// forgotten anyway); none when both were revoked or nothing was stored.
    /// </summary>
    public EitherAsync<PkceError, Option<PkceError>> Revoke(TokenKey key, CancellationToken cancellationToken) =>
        RevokeAsync(key, cancellationToken).ToAsync();

    private async Task<Either<PkceError, Option<PkceError>>> RevokeAsync(TokenKey key, CancellationToken cancellationToken)
    {
        var stored = await _store.Load(key, cancellationToken).ToEither().ConfigureAwait(false);
        if (stored.IsLeft) return stored.Map(_ => Option<PkceError>.None);
        var outcome = Option<PkceError>.None;
        foreach (var tokens in stored.IfLeft(StoredTokens.Nothing).Tokens)
        {
            foreach (var refresh in tokens.RefreshToken)
                outcome = outcome || Failure(await Pkce.Revocation.Revoke(_config, _deps.Http, refresh, true, cancellationToken).ToEither().ConfigureAwait(false));
            outcome = outcome || Failure(await Pkce.Revocation.Revoke(_config, _deps.Http, tokens.AccessToken, false, cancellationToken).ToEither().ConfigureAwait(false));
        }
        var deleted = await _store.Delete(key, cancellationToken).ToEither().ConfigureAwait(false);
        return deleted.Map(_ => outcome);
    }

    private static Option<PkceError> Failure(Either<PkceError, Unit> result) => result.Match(_ => None, Some);

    /// <summary>Why stored tokens cannot be used, if they cannot.</summary>
    private static PkceError? Usable(StoredTokens stored) =>
        stored.LoginRequired.IsSome ? new PkceError.LoginRequired(stored.LoginRequired.IfNone(""))
        : stored.Tokens.IsNone ? new PkceError.LoginRequired("no tokens are stored for this user, resource and scope")
        : null;

    /// <summary>
    /// The shared refresh: runs on its own deadlines, so one waiting caller's cancellation does not cancel it for the
    /// others. Takes the store's lease; while another process holds it, waits for that process's renewal to appear.
    /// </summary>
    private async Task<Either<PkceError, TokenSet>> RenewAsync(TokenKey key, long seenVersion)
    {
        var ttl = _config.Timeout + TimeSpan.FromSeconds(10);
        var giveUp = _deps.Clock.GetUtcNow() + _options.LeaseWait;
        while (true)
        {
            var leased = await _store.Acquire(key, _holder, ttl, CancellationToken.None).ToEither().ConfigureAwait(false);
            if (leased.IsLeft) return leased.Map(_ => default(TokenSet)!);
            if (leased.IfLeft(false))
            {
                try
                {
                    return await RenewHoldingLeaseAsync(key, seenVersion).ConfigureAwait(false);
                }
                finally
                {
                    await _store.Release(key, _holder, CancellationToken.None).ToEither().ConfigureAwait(false);
                }
            }
            // Another process is renewing: its result is what we want.
            var stored = await _store.Load(key, CancellationToken.None).ToEither().ConfigureAwait(false);
            if (stored.IsLeft) return stored.Map(_ => default(TokenSet)!);
            var current = stored.IfLeft(StoredTokens.Nothing);
            if (current.Version != seenVersion) return Usable(current) is { } error ? error : current.Tokens.IfNone(() => throw new InvalidOperationException());
            if (_deps.Clock.GetUtcNow() >= giveUp)
                return new PkceError.StoreFailure("another process held the refresh lease for longer than the wait allows");
            await Task.Delay(TimeSpan.FromMilliseconds(25)).ConfigureAwait(false);
        }
    }

    private async Task<Either<PkceError, TokenSet>> RenewHoldingLeaseAsync(TokenKey key, long seenVersion)
    {
        var stored = await _store.Load(key, CancellationToken.None).ToEither().ConfigureAwait(false);
        if (stored.IsLeft) return stored.Map(_ => default(TokenSet)!);
        var current = stored.IfLeft(StoredTokens.Nothing);
        if (Usable(current) is { } unusable) return unusable;
        var tokens = current.Tokens.IfNone(() => throw new InvalidOperationException());
        // Renewed by someone else between our read and the lease: use theirs, never redeem their refresh token again.
        if (current.Version != seenVersion) return tokens;
        if (tokens.RefreshToken.IsNone) return await MarkLoginRequired(key, current.Version, "the tokens have no refresh token").ConfigureAwait(false);

        Interlocked.Increment(ref _refreshes);
        var answer = await RefreshRequest.Send(_config, _deps.Http, tokens.RefreshToken.IfNone(""), None, CancellationToken.None).ToEither().ConfigureAwait(false);
        return await answer.MatchAsync(
            async response =>
            {
                var renewed = tokens.Renewed(response, _deps.Clock.GetUtcNow());
                var written = await _store.Swap(key, current.Version, new StoredTokens(0, Some(renewed), None), CancellationToken.None).ToEither().ConfigureAwait(false);
                return written.Bind(ok => ok
                    ? Right<PkceError, TokenSet>(renewed)
                    // Unreachable while leases hold; if one lapsed, the writer that got there first wins and we hand out nothing stale.
                    : Left<PkceError, TokenSet>(new PkceError.StoreFailure("the tokens changed while the refresh lease was held")));
            },
            async error => error is PkceError.EndpointError { Error: "invalid_grant" }
                ? await MarkLoginRequired(key, current.Version, "the server refused the refresh token (invalid_grant)").ConfigureAwait(false)
                : Left<PkceError, TokenSet>(error)).ConfigureAwait(false);
    }

    private async Task<Either<PkceError, TokenSet>> MarkLoginRequired(TokenKey key, long version, string reason)
    {
        var written = await _store.Swap(key, version, new StoredTokens(0, None, Some(reason)), CancellationToken.None).ToEither().ConfigureAwait(false);
        return written.Bind(_ => Left<PkceError, TokenSet>(new PkceError.LoginRequired(reason)));
    }
}
