using System.Collections.Concurrent;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>Settings of a <see cref="TokenSource"/>.</summary>
/// <param name="Margin">An access token this close to its expiry is renewed before it is handed out.</param>
/// <param name="LeaseWait">How long a caller waits for another process's refresh before giving up.</param>
public sealed record TokenSourceOptions(TimeSpan Margin, TimeSpan LeaseWait)
{
    /// <summary>Refuses a negative margin (expired tokens would be handed out) and a wait that is not positive.</summary>
    public TimeSpan Margin { get; } = Margin >= TimeSpan.Zero ? Margin : throw new ArgumentOutOfRangeException(nameof(Margin), "the margin must not be negative");

    /// <summary>Refuses a wait that is not positive.</summary>
    public TimeSpan LeaseWait { get; } = LeaseWait > TimeSpan.Zero ? LeaseWait : throw new ArgumentOutOfRangeException(nameof(LeaseWait), "the wait must be positive");

    /// <summary>A minute of margin; waits up to a minute for another process's refresh.</summary>
    public static readonly TokenSourceOptions Default = new(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
}

/// <summary>
/// Hands out a valid access token per <see cref="TokenKey"/> and keeps it valid: a token within the margin of its
/// expiry is renewed with the refresh token (RFC 6749 §6). Concurrent callers share one refresh: in this process
/// through one in-flight task per key; across processes that share a store through the store's lease (one holder per
/// operation, so a refresh and a sign-out of the same process exclude each other too), taken before the refresh
/// token is sent, so one refresh token is redeemed once (a server with reuse detection revokes the whole
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
    private readonly ConcurrentDictionary<string, Task<Either<PkceError, TokenSet>>> _flights = new(StringComparer.Ordinal);
    private readonly string _holder = Convert.ToHexString(Guid.NewGuid().ToByteArray());
    private long _leases;
    private readonly AsyncLocal<System.Collections.Immutable.ImmutableDictionary<string, Task>?> _renewing = new();
    private readonly ConcurrentDictionary<string, string> _leftBehind = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (long BaseVersion, TokenSet Tokens)> _unsaved = new(StringComparer.Ordinal);
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
            if (written.Case is PkceError failure) return failure;
            if (written.Case is true) return tokens;
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

        // One refresh per key in this process: the first caller starts it, the others wait for the same task. The
        // flight is published before the renewal runs a line; a caller re-entering from inside it is refused.
        RefuseReentry(key);
        var flight = new TaskCompletionSource<Either<PkceError, TokenSet>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _flights.GetOrAdd(key.Value, flight.Task);
        if (ReferenceEquals(shared, flight.Task)) _ = FlyAsync(key, current.Version, flight);
        return await shared.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the renewal of <paramref name="flight"/>, then removes the flight before completing it, even if every
    /// caller stopped waiting, so a later caller never gets an old result.
    /// </summary>
    private async Task FlyAsync(TokenKey key, long seenVersion, TaskCompletionSource<Either<PkceError, TokenSet>> flight)
    {
        try
        {
            // Seen by everything the renewal calls (store, HTTP handlers) and their continuations, not by FlyAsync's
            // caller; work they start carries it too, but it counts only while this flight is the key's flight.
            _renewing.Value = (_renewing.Value ?? System.Collections.Immutable.ImmutableDictionary.Create<string, Task>(StringComparer.Ordinal))
                .SetItem(key.Value, flight.Task);
            var renewed = await RenewAsync(key, seenVersion).ConfigureAwait(false);
            _flights.TryRemove(KeyValuePair.Create(key.Value, flight.Task));
            flight.SetResult(renewed);
        }
        catch (Exception e)
        {
            _flights.TryRemove(KeyValuePair.Create(key.Value, flight.Task));
            flight.SetException(e);
        }
    }

    /// <summary>
    /// A store or an HTTP handler that calls back into this source for the key being renewed, from inside the renewal,
    /// would wait for a flight that waits for it: refused at once instead.
    /// </summary>
    private void RefuseReentry(TokenKey key)
    {
        if (_renewing.Value is { } renewing && renewing.TryGetValue(key.Value, out var mine)
            && _flights.TryGetValue(key.Value, out var current) && ReferenceEquals(mine, current))
            throw new InvalidOperationException("the token source was called for a key from inside that key's own refresh (a store or an HTTP handler "
                + "calling back); the call would wait for itself");
    }

    /// <summary>
    /// Logs the key out: revokes its refresh token, then its access token (RFC 7009 §2.1 lets a server revoke the
    /// access tokens of a revoked refresh token's grant, "SHOULD", not must), and forgets the tokens whatever the
    /// server said, so a logout works offline too. Runs after a refresh in flight and under the key's lease, so the
    /// refresh token revoked is the live one; the tokens are replaced by a signed-out mark whose version only grows.
    /// Returns the first revocation error, if any (the tokens are forgotten anyway); none when both were revoked or
    /// nothing was stored.
    /// </summary>
    public EitherAsync<PkceError, Option<PkceError>> Revoke(TokenKey key, CancellationToken cancellationToken) =>
        RevokeAsync(key, cancellationToken).ToAsync();

    private async Task<Either<PkceError, Option<PkceError>>> RevokeAsync(TokenKey key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RefuseReentry(key);
        // A refresh in flight here ends first, whatever its outcome: its rotated refresh token is the one to revoke.
        if (_flights.TryGetValue(key.Value, out var flight))
        {
            await ((Task)flight).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            cancellationToken.ThrowIfCancellationRequested();
        }
        // Holding the lease, no refresh elsewhere can rotate the tokens between our read and our write.
        return await UnderLeaseAsync(key, _ => SignOutHoldingLeaseAsync(key), _ => None).ConfigureAwait(false);
    }

    private async Task<Either<PkceError, Option<PkceError>>> SignOutHoldingLeaseAsync(TokenKey key)
    {
        var stored = await _store.Load(key, CancellationToken.None).ToEither().ConfigureAwait(false);
        if (stored.IsLeft) return stored.Map(_ => Option<PkceError>.None);
        var current = stored.IfLeft(StoredTokens.Nothing);
        var outcome = Option<PkceError>.None;
        // A renewal this process could not write holds the live refresh token: revoked first, and forgotten.
        var signedOut = _unsaved.TryRemove(key.Value, out var unsaved) ? unsaved.Tokens.Cons(current.Tokens.ToSeq()) : current.Tokens.ToSeq();
        foreach (var tokens in signedOut)
        {
            // Every revocation is sent, whatever the one before answered; the first failure is the one returned.
            foreach (var refresh in tokens.RefreshToken)
            {
                var refreshRevoked = Failure(await Pkce.Revocation.Revoke(_config, _deps.Http, refresh, true, CancellationToken.None).ToEither().ConfigureAwait(false));
                outcome = outcome || refreshRevoked;
            }
            var accessRevoked = Failure(await Pkce.Revocation.Revoke(_config, _deps.Http, tokens.AccessToken, false, CancellationToken.None).ToEither().ConfigureAwait(false));
            outcome = outcome || accessRevoked;
        }
        // A mark, not a deletion: the version keeps growing, so a writer that read the old tokens can never win.
        var written = await _store.Swap(key, current.Version, new StoredTokens(0, None, Some(SignedOut)), CancellationToken.None).ToEither().ConfigureAwait(false);
        return written.Bind(ok => ok
            ? Right<PkceError, Option<PkceError>>(outcome)
            : Left<PkceError, Option<PkceError>>(new PkceError.StoreFailure("the tokens changed while the sign-out held the lease")));
    }

    private const string SignedOut = "signed out";

    private static Option<PkceError> Failure(Either<PkceError, Unit> result) => result.Match(_ => None, Some);

    /// <summary>Why stored tokens cannot be used, if they cannot.</summary>
    private static PkceError? Usable(StoredTokens stored) =>
        stored.LoginRequired.Case is string reason ? new PkceError.LoginRequired(reason)
        : stored.Tokens.IsNone ? new PkceError.LoginRequired("no tokens are stored for this user, resource and scope")
        : null;

    /// <summary>
    /// The shared refresh: runs on its own deadlines, so one waiting caller's cancellation does not cancel it for the
    /// others. Takes the store's lease; while another process holds it, waits for that process's renewal to appear.
    /// </summary>
    private Task<Either<PkceError, TokenSet>> RenewAsync(TokenKey key, long seenVersion) =>
        UnderLeaseAsync(key, remaining => RenewHoldingLeaseAsync(key, seenVersion, remaining),
            current => current.Version == seenVersion ? None : Some(Usable(current) is { } error
                ? Left<PkceError, TokenSet>(error)
                : Right<PkceError, TokenSet>(current.Tokens.IfNone(() => throw new InvalidOperationException()))));

    /// <summary>
    /// Runs <paramref name="work"/> holding the key's lease, told how long the lease surely lasts (measured on this
    /// process's monotonic clock from just before the lease was asked for). While another holder has it, polls the
    /// store: when <paramref name="othersResult"/> finds what that holder wrote, returns it instead of working.
    /// </summary>
    private async Task<Either<PkceError, T>> UnderLeaseAsync<T>(TokenKey key, Func<TimeSpan, Task<Either<PkceError, T>>> work,
        Func<StoredTokens, Option<Either<PkceError, T>>> othersResult)
    {
        var ttl = _config.Timeout + LeaseSlack + LeaseSlack;
        // A holder per operation, so a refresh and a sign-out of the same process exclude each other too; a lease this
        // process could not release is taken again by its next operation on the key instead of waited out.
        var holder = _leftBehind.TryRemove(key.Value, out var left) ? left : $"{_holder}-{Interlocked.Increment(ref _leases)}";
        var waited = _deps.Clock.GetTimestamp();
        while (true)
        {
            var asked = _deps.Clock.GetTimestamp();
            var leased = await _store.Acquire(key, holder, ttl, CancellationToken.None).ToEither().ConfigureAwait(false);
            if (leased.Case is PkceError failure) return failure;
            if (leased.Case is true)
            {
                try
                {
                    return await work(ttl - _deps.Clock.GetElapsedTime(asked) - LeaseSlack).ConfigureAwait(false);
                }
                finally
                {
                    var released = await _store.Release(key, holder, CancellationToken.None).ToEither().ConfigureAwait(false);
                    if (released.IsLeft) _leftBehind[key.Value] = holder;
                }
            }
            var stored = await _store.Load(key, CancellationToken.None).ToEither().ConfigureAwait(false);
            if (stored.IsLeft) return stored.Map(_ => default(T)!);
            var theirs = othersResult(stored.IfLeft(StoredTokens.Nothing));
            if (theirs.IsSome) return theirs.IfNone(() => throw new InvalidOperationException());
            if (_deps.Clock.GetElapsedTime(waited) >= _options.LeaseWait)
                return new PkceError.StoreFailure("another process held the refresh lease for longer than the wait allows");
            await Task.Delay(TimeSpan.FromMilliseconds(25)).ConfigureAwait(false);
        }
    }

    /// <summary>Time kept in hand on the lease: the refresh must be answered this long before the lease may lapse.</summary>
    private static readonly TimeSpan LeaseSlack = TimeSpan.FromSeconds(5);

    private async Task<Either<PkceError, TokenSet>> RenewHoldingLeaseAsync(TokenKey key, long seenVersion, TimeSpan leaseLeft)
    {
        var stored = await _store.Load(key, CancellationToken.None).ToEither().ConfigureAwait(false);
        if (stored.IsLeft) return stored.Map(_ => default(TokenSet)!);
        var current = stored.IfLeft(StoredTokens.Nothing);
        // A renewal this source could not write last time is written first: its refresh token is the live one.
        if (_unsaved.TryGetValue(key.Value, out var unsaved) && unsaved.BaseVersion == current.Version)
        {
            var saved = await _store.Swap(key, current.Version, new StoredTokens(0, Some(unsaved.Tokens), None), CancellationToken.None).ToEither().ConfigureAwait(false);
            if (saved.Case is PkceError failure) return failure;
            _unsaved.TryRemove(key.Value, out _);
            if (saved.Case is true)
            {
                if (unsaved.Tokens.IsFreshAt(_deps.Clock.GetUtcNow(), _options.Margin)) return unsaved.Tokens;
                (current, seenVersion) = (new StoredTokens(current.Version + 1, Some(unsaved.Tokens), None), current.Version + 1);
            }
        }
        if (Usable(current) is { } unusable) return unusable;
        var tokens = current.Tokens.IfNone(() => throw new InvalidOperationException());
        // Renewed by someone else between our read and the lease: use theirs, never redeem their refresh token again.
        if (current.Version != seenVersion) return tokens;
        if (tokens.RefreshToken.Case is not string refreshToken)
            return tokens.IsFreshAt(_deps.Clock.GetUtcNow(), _options.Margin)
                ? new PkceError.LoginRequired("the tokens have no refresh token")
                : await MarkLoginRequired(key, current, "the tokens have no refresh token").ConfigureAwait(false);
        // The request must be answered while the lease surely holds, or another holder could redeem the same token.
        var deadline = leaseLeft < _config.Timeout ? leaseLeft : _config.Timeout;
        if (deadline <= TimeSpan.Zero) return new PkceError.StoreFailure("the refresh lease ran out before the refresh could be sent");

        Interlocked.Increment(ref _refreshes);
        var request = RefreshRequest.Build(_config, refreshToken, None);
        if (request.IsLeft) return request.Map(_ => default(TokenSet)!);
        var post = request.IfLeft(() => throw new InvalidOperationException());
        var answer = await DpopPost.Send(_deps, post, deadline, CancellationToken.None).ConfigureAwait(false);
        var now = _deps.Clock.GetUtcNow();
        var parsed = answer.Bind(a => TokenResponseParser.Parse(a, _deps.Dpop.IsSome)).MapLeft(e => ErrorRedaction.WithoutSent(e, _config, post));
        if (parsed.IsRight) return await WriteAsync(key, current, tokens.Renewed(parsed.IfLeft(() => throw new InvalidOperationException()), now)).ConfigureAwait(false);
        var error = parsed.Match(_ => throw new InvalidOperationException(), e => e);
        // The server answered 2xx with a rotated refresh token we could not otherwise use: the old one is spent.
        var rotated = answer.ToOption().Bind(RefreshRequest.RotatedRefreshToken);
        if (rotated.Case is string rotatedToken)
        {
            var written = await WriteAsync(key, current, tokens.WithRotatedRefreshToken(rotatedToken)).ConfigureAwait(false);
            return written.Bind(_ => Left<PkceError, TokenSet>(error));
        }
        // RFC 6749 §5.2: invalid_grant answers 400; the same code on another status is not taken as final.
        return error is PkceError.EndpointError { Error: "invalid_grant", Status: 400 }
            ? await MarkLoginRequired(key, current, "the server refused the refresh token (invalid_grant)").ConfigureAwait(false)
            : error;
    }

    /// <summary>
    /// Writes renewed tokens over <paramref name="current"/>. If the store fails, the renewal is kept in this process
    /// (its refresh token is now the live one) and written first next time; if another writer got there first, what
    /// is stored is returned when it can be used.
    /// </summary>
    private async Task<Either<PkceError, TokenSet>> WriteAsync(TokenKey key, StoredTokens current, TokenSet renewed)
    {
        var written = await _store.Swap(key, current.Version, new StoredTokens(0, Some(renewed), None), CancellationToken.None).ToEither().ConfigureAwait(false);
        if (written.IsLeft)
        {
            _unsaved[key.Value] = (current.Version, renewed);
            return written.Map(_ => renewed);
        }
        return written.Case is true ? renewed : await StoredNowAsync(key, "the tokens changed while the refresh lease was held").ConfigureAwait(false);
    }

    /// <summary>What is stored now, when it can be used; otherwise a store failure saying why we looked.</summary>
    private async Task<Either<PkceError, TokenSet>> StoredNowAsync(TokenKey key, string why)
    {
        var stored = await _store.Load(key, CancellationToken.None).ToEither().ConfigureAwait(false);
        return stored.Bind(s => Usable(s) is null
            ? Right<PkceError, TokenSet>(s.Tokens.IfNone(() => throw new InvalidOperationException()))
            : Left<PkceError, TokenSet>(new PkceError.StoreFailure(why)));
    }

    /// <summary>
    /// Marks the key as needing a new login, keeping its tokens beside the mark so that a logout can still revoke the
    /// refresh token. If a new login was written meanwhile, that login's tokens are returned instead.
    /// </summary>
    private async Task<Either<PkceError, TokenSet>> MarkLoginRequired(TokenKey key, StoredTokens current, string reason)
    {
        var written = await _store.Swap(key, current.Version, current with { LoginRequired = Some(reason) }, CancellationToken.None).ToEither().ConfigureAwait(false);
        if (written.Case is PkceError failure) return failure;
        if (written.Case is true) return new PkceError.LoginRequired(reason);
        var now = await StoredNowAsync(key, reason).ConfigureAwait(false);
        return now.IsRight ? now : new PkceError.LoginRequired(reason);
    }
}
