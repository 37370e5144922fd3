using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace Pkce.Properties;

/// <summary>
/// <see cref="TokenSource"/>'s lease arithmetic (the refresh is answered while the lease surely holds) and its writes
/// under races (compare-and-swap lost to another writer, a sign-out or a new login in between, a renewal kept in
/// memory that has gone stale), over the in-memory store with hooks and the in-process server.
/// </summary>
public class TokenSourceLeaseAndWriteProperties
{
    private static readonly TokenKey Key = new(Support.User("alice"), "https://api.example", "read");

    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(5);

    private sealed record Rig(TokenSource Source, InMemoryTokenStore Memory, FakeServer Server, FakeTimeProvider Clock, PkceConfig Config);

    /// <summary>A source over the in-memory store (changed by <paramref name="hooks"/>) and the server answering <paramref name="answer"/>.</summary>
    private static Rig RigFor(Func<FakeServer.Sent, HttpResponseMessage> answer, Func<Rig, TokenStore, TokenStore>? hooks = null,
        TimeSpan? timeout = null, TimeSpan serverDelay = default, TokenSourceOptions? options = null)
    {
        var clock = Support.Clock();
        var server = new FakeServer(answer) { Delay = serverDelay };
        var config = Support.Config(Support.ValidSettings with { RevocationEndpoint = "https://as.example/revoke", Timeout = timeout ?? PkceSettings.DefaultTimeout });
        var memory = new InMemoryTokenStore(clock);
        Rig? rig = null;
        var ports = memory.Ports;
        if (hooks is not null)
        {
            // The hooks see the rig once it exists (they run only when the source calls the store).
            var hooked = new Lazy<TokenStore>(() => hooks(rig!, memory.Ports));
            ports = new TokenStore(
                (k, ct) => hooked.Value.Load(k, ct),
                (k, v, n, ct) => hooked.Value.Swap(k, v, n, ct),
                (k, ct) => hooked.Value.Delete(k, ct),
                (k, h, t, ct) => hooked.Value.Acquire(k, h, t, ct),
                (k, h, ct) => hooked.Value.Release(k, h, ct));
        }
        var source = new TokenSource(config, new Dependencies(Support.Replay([7]), clock, server.Port()), ports, options);
        return rig = new Rig(source, memory, server, clock, config);
    }

    private static TokenResponse Response(string access, string? refresh = "rt-0") =>
        new(access, "Bearer", Some(TimeSpan.FromHours(1)), Optional(refresh), None, None, HashMap<string, System.Text.Json.JsonElement>(), "{}");

    private static void Save(Rig rig, string access, string? refresh = "rt-0") =>
        Support.Right(Support.Run(rig.Source.Save(Key, Response(access, refresh), CancellationToken.None)));

    private static Either<PkceError, TokenSet> Refresh(Rig rig) => Support.Run(rig.Source.Refresh(Key, CancellationToken.None));

    private static StoredTokens Stored(Rig rig) => Support.Right(Support.Run(rig.Memory.Load(Key, CancellationToken.None)));

    /// <summary>Writes <paramref name="next"/> over whatever is stored, as another process would.</summary>
    private static void WriteElsewhere(Rig rig, StoredTokens next) =>
        Assert.True(Support.Right(Support.Run(rig.Memory.Swap(Key, Stored(rig).Version, next, CancellationToken.None))));

    private static StoredTokens NewLogin(Rig rig, string access, string refresh) =>
        new(0, Some(TokenSet.From(Response(access, refresh), rig.Clock.GetUtcNow())), None);

    private static readonly StoredTokens SignedOutElsewhere = new(0, None, Some("signed out elsewhere"));

    [Fact]
    public void TheLeaseAskedForCoversTheRequestTimeoutAndTwiceTheSlack()
    {
        var asked = new List<TimeSpan>();
        var rig = RigFor(_ => FakeServer.Token("at-1"), (_, store) => store with
        {
            Acquire = (k, h, ttl, ct) =>
            {
                asked.Add(ttl);
                return store.Acquire(k, h, ttl, ct);
            },
        });
        Save(rig, "at-0");
        Assert.Equal("at-1", Support.Right(Refresh(rig)).AccessToken);
        Assert.Equal(new[] { rig.Config.Timeout + Slack + Slack }, asked);
    }

    [Fact]
    public void TheRefreshIsGivenTheRequestTimeoutWhenTheLeaseOutlastsIt()
    {
        var timeout = TimeSpan.FromMilliseconds(300);
        var rig = RigFor(_ => FakeServer.Token("at-1"), timeout: timeout, serverDelay: TimeSpan.FromMinutes(10));
        Save(rig, "at-0");
        var error = Assert.IsType<PkceError.Timeout>(Support.Left(Refresh(rig)));
        Assert.Equal(timeout, error.After);
        Assert.Single(rig.Server.Requests);
    }

    [Fact]
    public void TheRefreshIsGivenOnlyWhatIsLeftOfTheLeaseLessTheSlack()
    {
        // Taking the lease took 5.1 s of this process's clock: 300 ms + 10 s - 5.1 s - 5 s = 200 ms of it surely remain.
        var timeout = TimeSpan.FromMilliseconds(300);
        var rig = RigFor(_ => FakeServer.Token("at-1"), (rig, store) => store with
        {
            Acquire = (k, h, ttl, ct) =>
            {
                var taken = store.Acquire(k, h, ttl, ct);
                rig.Clock.Advance(Slack + TimeSpan.FromMilliseconds(100));
                return taken;
            },
        }, timeout: timeout, serverDelay: TimeSpan.FromMinutes(10));
        Save(rig, "at-0");
        var error = Assert.IsType<PkceError.Timeout>(Support.Left(Refresh(rig)));
        Assert.Equal(TimeSpan.FromMilliseconds(200), error.After);
    }

    [Fact]
    public void NoRefreshIsSentOnceNothingOfTheLeaseSurelyRemains()
    {
        // Taking the lease took exactly the request timeout plus the slack: the lease may lapse before any answer.
        var rig = RigFor(_ => FakeServer.Token("at-1"), (rig, store) => store with
        {
            Acquire = (k, h, ttl, ct) =>
            {
                var taken = store.Acquire(k, h, ttl, ct);
                rig.Clock.Advance(rig.Config.Timeout + Slack);
                return taken;
            },
        });
        Save(rig, "at-0");
        var error = Assert.IsType<PkceError.StoreFailure>(Support.Left(Refresh(rig)));
        Assert.Equal("the refresh lease ran out before the refresh could be sent", error.Reason);
        Assert.Empty(rig.Server.Requests);
        Assert.Equal(0, rig.Source.Refreshes);
    }

    [Fact]
    public void TheLeaseIsGivenBackAfterTheRefresh()
    {
        var rig = RigFor(_ => FakeServer.Token("at-1"));
        Save(rig, "at-0");
        Support.Right(Refresh(rig));
        Assert.True(Support.Right(Support.Run(rig.Memory.Acquire(Key, "another process", TimeSpan.FromMinutes(1), CancellationToken.None))));
    }

    [Fact]
    public void NoPollForAnotherHoldersRenewalHappensOnceTheWaitHasPassed()
    {
        var wait = TimeSpan.FromSeconds(10);
        var polls = 0;
        var rig = RigFor(_ => throw new InvalidOperationException("the lease is held elsewhere"), (rig, store) => store with
        {
            Acquire = (k, h, ttl, ct) =>
            {
                var taken = store.Acquire(k, h, ttl, ct);
                if (!Support.Right(Support.Run(taken))) polls++;
                // Each poll takes half the wait.
                rig.Clock.Advance(wait / 2);
                return taken;
            },
        }, options: new TokenSourceOptions(TimeSpan.FromMinutes(1), wait));
        Save(rig, "at-0");
        Assert.True(Support.Right(Support.Run(rig.Memory.Acquire(Key, "another process", TimeSpan.FromHours(1), CancellationToken.None))));
        var error = Assert.IsType<PkceError.StoreFailure>(Support.Left(Refresh(rig)));
        Assert.Equal("another process held the refresh lease for longer than the wait allows", error.Reason);
        Assert.Equal(2, polls);
    }

    [Fact]
    public void ARenewalWrittenIsReturnedEvenWhenReplacedRightAfterTheWrite()
    {
        var rig = RigFor(_ => FakeServer.Token("at-1", refresh: "rt-1"), (rig, store) => store with
        {
            Swap = (k, v, n, ct) =>
            {
                var written = Support.Run(store.Swap(k, v, n, ct));
                if (n.Tokens.Exists(t => t.AccessToken == "at-1")) WriteElsewhere(rig, SignedOutElsewhere);
                return written.ToAsync();
            },
        });
        Save(rig, "at-0");
        Assert.Equal("at-1", Support.Right(Refresh(rig)).AccessToken);
    }

    [Fact]
    public void ARenewalThatLosesTheSwapToASignOutIsAStoreFailure()
    {
        var rig = RigFor(_ => FakeServer.Token("at-1", refresh: "rt-1"), (rig, store) => store with
        {
            Swap = (k, v, n, ct) =>
            {
                if (n.Tokens.Exists(t => t.AccessToken == "at-1")) WriteElsewhere(rig, SignedOutElsewhere);
                return store.Swap(k, v, n, ct);
            },
        });
        Save(rig, "at-0");
        var error = Assert.IsType<PkceError.StoreFailure>(Support.Left(Refresh(rig)));
        Assert.Equal("the tokens changed while the refresh lease was held", error.Reason);
        Assert.True(Stored(rig).Tokens.IsNone);
    }

    [Fact]
    public void ARefusedRefreshTokenWhoseMarkLosesToASignOutIsStillLoginRequired()
    {
        var rig = RigFor(_ => FakeServer.OAuthError("invalid_grant"), (rig, store) => store with
        {
            Swap = (k, v, n, ct) =>
            {
                if (n.LoginRequired.IsSome && n.Tokens.IsSome) WriteElsewhere(rig, SignedOutElsewhere);
                return store.Swap(k, v, n, ct);
            },
        });
        Save(rig, "at-0");
        var error = Assert.IsType<PkceError.LoginRequired>(Support.Left(Refresh(rig)));
        Assert.Equal("the server refused the refresh token (invalid_grant)", error.Reason);
    }

    [Fact]
    public void ARefusedRefreshTokenWhoseMarkLosesToANewLoginGivesTheNewLoginsTokens()
    {
        var rig = RigFor(_ => FakeServer.OAuthError("invalid_grant"), (rig, store) => store with
        {
            Swap = (k, v, n, ct) =>
            {
                if (n.LoginRequired.IsSome && n.Tokens.IsSome) WriteElsewhere(rig, NewLogin(rig, "at-new", "rt-new"));
                return store.Swap(k, v, n, ct);
            },
        });
        Save(rig, "at-0");
        Assert.Equal("at-new", Support.Right(Refresh(rig)).AccessToken);
        Assert.True(Stored(rig).LoginRequired.IsNone);
    }

    [Fact]
    public void ASignOutThatLosesTheSwapIsAStoreFailure()
    {
        var rig = RigFor(_ => new HttpResponseMessage(HttpStatusCode.OK), (rig, store) => store with
        {
            Swap = (k, v, n, ct) =>
            {
                if (n.Tokens.IsNone && n.LoginRequired.IsSome) WriteElsewhere(rig, NewLogin(rig, "at-new", "rt-new"));
                return store.Swap(k, v, n, ct);
            },
        });
        Save(rig, "at-0");
        var error = Assert.IsType<PkceError.StoreFailure>(Support.Left(Support.Run(rig.Source.Revoke(Key, CancellationToken.None))));
        Assert.Equal("the tokens changed while the sign-out held the lease", error.Reason);
    }

    [Fact]
    public void AForcedRefreshWithoutRefreshTokenSaysSo()
    {
        var rig = RigFor(_ => throw new InvalidOperationException());
        Save(rig, "at-0", refresh: null);
        var error = Assert.IsType<PkceError.LoginRequired>(Support.Left(Refresh(rig)));
        Assert.Equal("the tokens have no refresh token", error.Reason);
    }

    [Fact]
    public void ASaveThatLosesTheSwapTriesAgainUntilItsTokensAreStored()
    {
        var interfere = true;
        var rig = RigFor(_ => throw new InvalidOperationException(), (rig, store) => store with
        {
            Swap = (k, v, n, ct) =>
            {
                if (interfere && n.Tokens.Exists(t => t.AccessToken == "at-mine"))
                {
                    interfere = false;
                    WriteElsewhere(rig, NewLogin(rig, "at-theirs", "rt-theirs"));
                }
                return store.Swap(k, v, n, ct);
            },
        });
        Save(rig, "at-0");
        Save(rig, "at-mine");
        Assert.False(interfere);
        Assert.Equal("at-mine", Stored(rig).Tokens.Map(t => t.AccessToken).IfNone(""));
        Assert.Equal(3, Stored(rig).Version);
    }

    [Fact]
    public void ACallerReenteringItsKeysRenewalIsRefusedNotLeftWaitingForItself()
    {
        var (inRenewal, reentered) = (false, false);
        Task<Either<PkceError, TokenSet>>? inner = null;
        Task<Either<PkceError, Option<PkceError>>>? innerLogout = null;
        var rig = RigFor(_ => FakeServer.Token("at-1", refresh: "rt-1"), (rig, store) => store with
        {
            Acquire = (k, h, t, ct) =>
            {
                inRenewal = true;
                return store.Acquire(k, h, t, ct);
            },
            Load = (k, ct) =>
            {
                if (!inRenewal || reentered) return store.Load(k, ct);
                // A store that calls back into the source for the same key and waits for the answer before its own.
                reentered = true;
                inner = rig.Source.Get(k, CancellationToken.None).ToEither();
                innerLogout = rig.Source.Revoke(k, CancellationToken.None).ToEither();
                return AfterInner().ToAsync();

                async Task<Either<PkceError, StoredTokens>> AfterInner()
                {
                    // Bounded, so a regression fails here instead of hanging the run.
                    try { await inner.WaitAsync(TimeSpan.FromSeconds(30)); }
                    catch (InvalidOperationException) { }
                    try { await innerLogout.WaitAsync(TimeSpan.FromSeconds(30)); }
                    catch (InvalidOperationException) { }
                    return await store.Load(k, ct).ToEither();
                }
            },
        });
        Save(rig, "at-0");
        rig.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal("at-1", Support.Right(Support.Run(rig.Source.Get(Key, CancellationToken.None))).AccessToken);
        const string Refusal = "the token source was called for a key from inside that key's own refresh (a store or an HTTP handler calling back); "
            + "the call would wait for itself";
        Assert.Equal(Refusal, Assert.Throws<InvalidOperationException>(() => inner!.GetAwaiter().GetResult()).Message);
        Assert.Equal(Refusal, Assert.Throws<InvalidOperationException>(() => innerLogout!.GetAwaiter().GetResult()).Message);
        // Another caller, outside the renewal, is served as usual.
        Assert.Equal("at-1", Support.Right(Support.Run(rig.Source.Get(Key, CancellationToken.None))).AccessToken);
        Assert.Single(rig.Server.Requests);
    }

    [Fact]
    public void ALogoutWaitingForARefreshThatFailedStillSignsOut()
    {
        var rig = RigFor(_ => FakeServer.Token("at-1", refresh: "rt-1"), (_, store) => store with
        {
            Swap = (k, v, n, ct) => n.Tokens.Exists(t => t.AccessToken == "at-1") ? throw new IOException("disk gone") : store.Swap(k, v, n, ct),
        }, serverDelay: TimeSpan.FromMilliseconds(200));
        Save(rig, "at-0");
        var refreshing = rig.Source.Refresh(Key, CancellationToken.None).ToEither();
        // The logout starts while the refresh is on the wire; the refresh then throws (a store delegate that throws).
        while (rig.Server.Requests.Count == 0) Thread.Sleep(5);
        var outcome = Support.Run(rig.Source.Revoke(Key, CancellationToken.None));
        Assert.Equal("disk gone", Assert.Throws<IOException>(() => refreshing.GetAwaiter().GetResult()).Message);
        Assert.True(Support.Right(outcome).IsNone);
        Assert.True(Stored(rig).Tokens.IsNone);
    }

    [Fact]
    public async Task ARefreshStartedDuringALogoutOfTheSameProcessWaitsForItAndFindsTheUserSignedOut()
    {
        Rig? rig = null;
        var acquires = 0;
        using var refreshAskedForTheLease = new ManualResetEventSlim();
        Task<Either<PkceError, TokenSet>>? refreshing = null;
        rig = RigFor(sent =>
        {
            if (sent.Path == "/revoke" && refreshing is null)
            {
                // Another request of this process refreshes while the logout's first revocation is on the wire.
                refreshing = Task.Run(() => Refresh(rig!));
                Assert.True(refreshAskedForTheLease.Wait(TimeSpan.FromSeconds(30)));
            }
            return sent.Path == "/revoke" ? new HttpResponseMessage(HttpStatusCode.OK) : FakeServer.Token("at-1", refresh: "rt-1");
        }, (_, store) => store with
        {
            Acquire = (k, h, t, ct) =>
            {
                var leased = store.Acquire(k, h, t, ct);
                if (Interlocked.Increment(ref acquires) == 2) refreshAskedForTheLease.Set();
                return leased;
            },
        });
        Save(rig, "at-0");
        Assert.True(Support.Right(Support.Run(rig.Source.Revoke(Key, CancellationToken.None))).IsNone);
        // The lease kept the refresh out: it sent nothing, and found the user signed out when the logout was done.
        Assert.IsType<PkceError.LoginRequired>(Support.Left(await refreshing!));
        Assert.Equal(new[] { "/revoke", "/revoke" }, rig.Server.Requests.Select(r => r.Path));
        Assert.True(Stored(rig).Tokens.IsNone);
    }

    [Fact]
    public async Task WorkStartedInsideARenewalCallsTheSourceAsUsualOnceTheRenewalEnded()
    {
        var refreshDone = new TaskCompletionSource();
        Task<Either<PkceError, Option<PkceError>>>? later = null;
        var rig = RigFor(sent => sent.Path == "/revoke" ? new HttpResponseMessage(HttpStatusCode.OK) : FakeServer.Token("at-1", refresh: "rt-1"),
            (rig, store) => store with
            {
                Swap = (k, v, n, ct) =>
                {
                    // A store that starts background work during the renewal (it carries the renewal's flow along).
                    if (later is null && n.Tokens.Exists(t => t.AccessToken == "at-1"))
                        later = Task.Run(async () =>
                        {
                            await refreshDone.Task;
                            return await rig.Source.Revoke(k, CancellationToken.None).ToEither();
                        });
                    return store.Swap(k, v, n, ct);
                },
            });
        Save(rig, "at-0");
        Assert.Equal("at-1", Support.Right(Refresh(rig)).AccessToken);
        refreshDone.SetResult();
        Assert.True(Support.Right(await later!).IsNone);
        Assert.True(Stored(rig).Tokens.IsNone);
    }

    [Fact]
    public void ALogoutRevokesTheLiveRefreshTokenOfARenewalTheStoreCouldNotWrite()
    {
        var failSwaps = false;
        var rig = RigFor(sent => sent.Path == "/revoke" ? new HttpResponseMessage(HttpStatusCode.OK) : FakeServer.Token("at-1", refresh: "rt-1"),
            (_, store) => store with
            {
                Swap = (k, v, n, ct) => failSwaps ? LeftAsync<PkceError, bool>(new PkceError.StoreFailure("disk full")) : store.Swap(k, v, n, ct),
            });
        Save(rig, "at-0");
        failSwaps = true;
        Assert.IsType<PkceError.StoreFailure>(Support.Left(Refresh(rig)));
        failSwaps = false;
        Assert.True(Support.Right(Support.Run(rig.Source.Revoke(Key, CancellationToken.None))).IsNone);
        Assert.Equal(new[] { "rt-1", "at-1", "rt-0", "at-0" }, rig.Server.Requests.Where(r => r.Path == "/revoke").Select(r => r.Form["token"]));
        // The unsaved renewal is forgotten too: nothing comes back after the logout.
        Assert.IsType<PkceError.LoginRequired>(Support.Left(Support.Run(rig.Source.Get(Key, CancellationToken.None))));
    }

    [Fact]
    public void ALogoutRevokesTheAccessTokenEvenWhenRevokingTheRefreshTokenFailed()
    {
        var rig = RigFor(sent => sent.Form["token"] == "rt-0" ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) : new HttpResponseMessage(HttpStatusCode.OK));
        Save(rig, "at-0");
        var outcome = Support.Right(Support.Run(rig.Source.Revoke(Key, CancellationToken.None)));
        Assert.True(outcome.IsSome);
        Assert.Equal(new[] { "rt-0", "at-0" }, rig.Server.Requests.Select(r => r.Form["token"]));
        Assert.True(Stored(rig).Tokens.IsNone);
    }

    [Fact]
    public void ALeaseThisProcessCouldNotReleaseIsTakenAgainByItsNextOperation()
    {
        var failRelease = true;
        var rig = RigFor(_ => FakeServer.Token("at-1", refresh: "rt-1"), (_, store) => store with
        {
            Release = (k, h, ct) => failRelease ? LeftAsync<PkceError, Unit>(new PkceError.StoreFailure("blip")) : store.Release(k, h, ct),
        });
        Save(rig, "at-0");
        Assert.Equal("at-1", Support.Right(Refresh(rig)).AccessToken);
        failRelease = false;
        // The lease is still held (its release failed) and the clock has not moved: only its own holder can take it.
        Assert.Equal("at-1", Support.Right(Refresh(rig)).AccessToken);
        Assert.Equal(2, rig.Server.Requests.Count);
        // Released this time: another holder can take it at once.
        Assert.True(Support.Right(Support.Run(rig.Memory.Acquire(Key, "someone else", TimeSpan.FromMinutes(1), CancellationToken.None))));
    }

    [Fact]
    public void ARenewalThatCallsIntoAnotherKeysRenewalWhichCallsBackIsRefusedNotADeadlock()
    {
        var other = new TokenKey(Support.User("bob"), "https://api.example", "read");
        var (inFirst, inOther, calledOther, calledBack) = (false, false, false, false);
        Task<Either<PkceError, TokenSet>>? back = null;
        var rig = RigFor(_ => FakeServer.Token("at-1", refresh: "rt-1"), (rig, store) => store with
        {
            Acquire = (k, h, t, ct) =>
            {
                if (k.Value == Key.Value) inFirst = true;
                else inOther = true;
                return store.Acquire(k, h, t, ct);
            },
            Load = (k, ct) =>
            {
                // The first key's renewal needs the other key's token; the other key's renewal needs the first key's.
                if (k.Value == Key.Value && inFirst && !calledOther)
                {
                    calledOther = true;
                    return After(rig.Source.Get(other, CancellationToken.None).ToEither(), () => store.Load(k, ct)).ToAsync();
                }
                if (k.Value == other.Value && inOther && !calledBack)
                {
                    calledBack = true;
                    back = rig.Source.Get(Key, CancellationToken.None).ToEither();
                    return After(back, () => store.Load(k, ct)).ToAsync();
                }
                return store.Load(k, ct);
            },
        });

        static async Task<Either<PkceError, StoredTokens>> After(Task<Either<PkceError, TokenSet>> call, Func<EitherAsync<PkceError, StoredTokens>> load)
        {
            // Bounded, so a regression fails here instead of hanging the run.
            try { await call.WaitAsync(TimeSpan.FromSeconds(30)); }
            catch (InvalidOperationException) { }
            return await load().ToEither();
        }

        Save(rig, "at-0");
        Support.Right(Support.Run(rig.Source.Save(other, Response("bt-0"), CancellationToken.None)));
        rig.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal("at-1", Support.Right(Support.Run(rig.Source.Get(Key, CancellationToken.None))).AccessToken);
        Assert.Throws<InvalidOperationException>(() => back!.GetAwaiter().GetResult());
        Assert.Equal(2, rig.Server.Requests.Count);
    }

    [Fact]
    public async Task ALogoutCancelledWhileWaitingForARefreshInFlightSignsNothingOut()
    {
        using var answer = new ManualResetEventSlim();
        var rig = RigFor(sent =>
        {
            if (sent.Path != "/revoke") answer.Wait(TimeSpan.FromSeconds(30));
            return sent.Path == "/revoke" ? new HttpResponseMessage(HttpStatusCode.OK) : FakeServer.Token("at-1", refresh: "rt-1");
        });
        Save(rig, "at-0");
        var refreshing = Task.Run(() => Refresh(rig));
        while (rig.Server.Requests.Count == 0) await Task.Delay(5);
        using var cancel = new CancellationTokenSource();
        var logout = rig.Source.Revoke(Key, cancel.Token).ToEither();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => logout);
        answer.Set();
        Assert.Equal("at-1", Support.Right(await refreshing).AccessToken);
        // Nothing was revoked and the renewed tokens stay: the cancelled logout did not go on after the refresh.
        Assert.DoesNotContain(rig.Server.Requests, r => r.Path == "/revoke");
        Assert.Equal("at-1", Stored(rig).Tokens.Map(t => t.AccessToken).IfNone(""));
    }

    [Fact]
    public void ARenewalThatThrowsEndsItsFlightSoTheNextCallerStartsAFreshOne()
    {
        var broken = true;
        var rig = RigFor(_ => FakeServer.Token("at-1", refresh: "rt-1"), (_, store) => store with
        {
            Acquire = (k, h, t, ct) => broken ? throw new InvalidOperationException("a store that throws") : store.Acquire(k, h, t, ct),
        });
        Save(rig, "at-0");
        // A store delegate that throws instead of returning a failure is the caller's bug: its exception reaches the caller.
        Assert.Equal("a store that throws", Assert.Throws<InvalidOperationException>(() => Refresh(rig)).Message);
        broken = false;
        // The failed flight is gone: the next caller renews, it does not get the old exception.
        Assert.Equal("at-1", Support.Right(Refresh(rig)).AccessToken);
        Assert.Single(rig.Server.Requests);
    }

    /// <summary>
    /// Tokens at-0 stored, then one refresh answered with at-1/rt-1 that the store refused to write (a store failure
    /// to the caller); every later answer is at-2/rt-2 and every later write succeeds.
    /// </summary>
    private static Rig RigWithAnUnsavedRenewal()
    {
        var failSwaps = false;
        var answers = 0;
        var rig = RigFor(_ => Interlocked.Increment(ref answers) == 1 ? FakeServer.Token("at-1", refresh: "rt-1") : FakeServer.Token("at-2", refresh: "rt-2"),
            (_, store) => store with
            {
                Swap = (k, v, n, ct) => failSwaps ? LeftAsync<PkceError, bool>(new PkceError.StoreFailure("disk full")) : store.Swap(k, v, n, ct),
            });
        Save(rig, "at-0");
        failSwaps = true;
        Assert.IsType<PkceError.StoreFailure>(Support.Left(Refresh(rig)));
        failSwaps = false;
        return rig;
    }

    [Fact]
    public void AnUnsavedRenewalIsDroppedWhenAnotherWriterGotThereFirst()
    {
        var rig = RigWithAnUnsavedRenewal();
        // A new login elsewhere: its refresh token, not the unsaved renewal's, is the one to use.
        WriteElsewhere(rig, NewLogin(rig, "at-other", "rt-other"));
        Assert.Equal("at-2", Support.Right(Refresh(rig)).AccessToken);
        Assert.Equal("rt-other", rig.Server.Requests[1].Form["refresh_token"]);
        Assert.Equal("at-2", Stored(rig).Tokens.Map(t => t.AccessToken).IfNone(""));
    }

    [Fact]
    public void AnUnsavedRenewalThatHasExpiredIsWrittenThenRenewedWithItsOwnRefreshToken()
    {
        var rig = RigWithAnUnsavedRenewal();
        rig.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal("at-2", Support.Right(Support.Run(rig.Source.Get(Key, CancellationToken.None))).AccessToken);
        Assert.Equal("rt-1", rig.Server.Requests[1].Form["refresh_token"]);
        Assert.Equal(("at-2", 3L), (Stored(rig).Tokens.Map(t => t.AccessToken).IfNone(""), Stored(rig).Version));
    }

    [Fact]
    public void ARevokeAlreadyCancelledSendsNothingAndForgetsNothing()
    {
        var rig = RigFor(_ => new HttpResponseMessage(HttpStatusCode.OK));
        Save(rig, "at-0");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => Support.Run(rig.Source.Revoke(Key, cancelled.Token)));
        Assert.Empty(rig.Server.Requests);
        Assert.True(Stored(rig).Tokens.IsSome);
    }

    [Fact]
    public void OptionsSayWhyTheyRefuseAValue()
    {
        Assert.Contains("the margin must not be negative", Assert.Throws<ArgumentOutOfRangeException>(() => new TokenSourceOptions(TimeSpan.FromTicks(-1), TimeSpan.FromSeconds(1))).Message);
        Assert.Contains("the wait must be positive", Assert.Throws<ArgumentOutOfRangeException>(() => new TokenSourceOptions(TimeSpan.Zero, TimeSpan.Zero)).Message);
    }
}
