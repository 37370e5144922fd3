#pragma warning disable xUnit1031
using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace Pkce.Properties;

public class ZzProbeFlight
{
    private static readonly TokenKey Key = new(Support.User("alice"), "https://api.example", "read");
    private static readonly PkceSettings Settings = Support.ValidSettings with { RevocationEndpoint = "https://as.example/revoke" };

    private static TokenResponse Response(string access, string? refresh = "rt-0") =>
        new(access, "Bearer", Some(TimeSpan.FromHours(1)), Optional(refresh), None, None, HashMap<string, System.Text.Json.JsonElement>(), "{}");

    private static (TokenSource Source, InMemoryTokenStore Memory, FakeServer Server, FakeTimeProvider Clock) Rig(
        Func<FakeServer.Sent, HttpResponseMessage> answer, Func<Func<TokenSource>, TokenStore, TokenStore>? hooks = null)
    {
        var clock = Support.Clock();
        var server = new FakeServer(answer);
        var memory = new InMemoryTokenStore(clock);
        TokenSource? source = null;
        var ports = hooks is null ? memory.Ports : hooks(() => source!, memory.Ports);
        source = new TokenSource(Support.Config(Settings), new Dependencies(Support.Replay([7]), clock, server.Port()), ports);
        return (source, memory, server, clock);
    }

    /// <summary>A store read inside the renewal asks the source for the same key and awaits it (async re-entry).</summary>
    [Fact]
    public void ZzProbe_AsyncReentrantGetFromTheRenewalsStoreHangsForeverAndPoisonsTheKey()
    {
        var inRenewal = false;
        var reentered = 0;
        Task<Either<PkceError, TokenSet>>? inner = null;
        var rig = Rig(_ => FakeServer.Token("at-1", refresh: "rt-1"), (source, store) => store with
        {
            Acquire = (k, h, t, ct) => { inRenewal = true; return store.Acquire(k, h, t, ct); },
            Load = (k, ct) =>
            {
                if (!inRenewal || Interlocked.Exchange(ref reentered, 1) == 1) return store.Load(k, ct);
                inner = source().Get(k, CancellationToken.None).ToEither();
                async Task<Either<PkceError, StoredTokens>> After() { await inner; return await store.Load(k, ct).ToEither(); }
                return After().ToAsync();
            },
        });
        Support.Right(Support.Run(rig.Source.Save(Key, Response("at-0"), CancellationToken.None)));
        rig.Clock.Advance(TimeSpan.FromHours(2));
        var outer = rig.Source.Get(Key, CancellationToken.None).ToEither();
        Assert.False(outer.Wait(TimeSpan.FromSeconds(3)), "outer Get completed: " + (outer.IsCompleted ? outer.Result.ToString() : ""));
        Assert.False(inner!.IsCompleted);
        // A later, unrelated caller of the key: stuck on the dead flight until its own token fires.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var later = rig.Source.Get(Key, cts.Token).ToEither();
        var ex = Assert.ThrowsAny<Exception>(() => later.Wait(TimeSpan.FromSeconds(5)));
        Console.WriteLine("PROBE later Get: " + ex.GetBaseException().GetType().Name);
        // A logout of the key: ignores its own cancellation while waiting for the dead flight.
        using var cts2 = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var revoke = rig.Source.Revoke(Key, cts2.Token).ToEither();
        Assert.False(revoke.Wait(TimeSpan.FromSeconds(3)), "revoke completed");
        Console.WriteLine("PROBE requests sent: " + rig.Server.Requests.Count + ", refreshes: " + rig.Source.Refreshes);
    }

    /// <summary>Same, but the store blocks synchronously on the re-entrant Get (the case that used to throw from Lazy).</summary>
    [Fact]
    public void ZzProbe_SyncReentrantGetFromTheRenewalsStoreHangsForever()
    {
        var inRenewal = false;
        var reentered = 0;
        var rig = Rig(_ => FakeServer.Token("at-1", refresh: "rt-1"), (source, store) => store with
        {
            Acquire = (k, h, t, ct) => { inRenewal = true; return store.Acquire(k, h, t, ct); },
            Load = (k, ct) =>
            {
                if (!inRenewal || Interlocked.Exchange(ref reentered, 1) == 1) return store.Load(k, ct);
                var got = source().Get(k, CancellationToken.None).ToEither().GetAwaiter().GetResult();
                return store.Load(k, ct);
            },
        });
        Support.Right(Support.Run(rig.Source.Save(Key, Response("at-0"), CancellationToken.None)));
        rig.Clock.Advance(TimeSpan.FromHours(2));
        Task<Either<PkceError, TokenSet>>? outer = null;
        Exception? thrown = null;
        var thread = new Thread(() =>
        {
            try { outer = rig.Source.Get(Key, CancellationToken.None).ToEither(); outer.Wait(); }
            catch (Exception e) { thrown = e; }
        }) { IsBackground = true };
        thread.Start();
        Assert.False(thread.Join(TimeSpan.FromSeconds(3)), "outer finished: " + thrown + " " + (outer?.IsCompleted == true ? outer.Result.ToString() : ""));
        Console.WriteLine("PROBE sync re-entry: outer thread still blocked after 3 s");
    }

    /// <summary>A refresh in this process starts while a logout holds the lease: the lease (same holder) lets it through.</summary>
    [Fact]
    public void ZzProbe_ARefreshRunsInsideALogoutsLeaseInTheSameProcess()
    {
        TokenSource? source = null;
        Either<PkceError, TokenSet>? refreshed = null;
        var first = 0;
        var rig = Rig(sent =>
        {
            if (sent.Path == "/revoke")
            {
                // Another request of this process refreshes while the logout is on the wire.
                if (Interlocked.Exchange(ref first, 1) == 0)
                    refreshed = Task.Run(() => Support.Run(source!.Refresh(Key, CancellationToken.None))).GetAwaiter().GetResult();
                return new HttpResponseMessage(HttpStatusCode.OK);
            }
            return FakeServer.Token("at-1", refresh: "rt-1");
        });
        source = rig.Source;
        Support.Right(Support.Run(rig.Source.Save(Key, Response("at-0"), CancellationToken.None)));
        var revoked = Support.Run(rig.Source.Revoke(Key, CancellationToken.None));
        Console.WriteLine("PROBE refresh during logout: " + refreshed);
        Console.WriteLine("PROBE logout: " + revoked);
        Console.WriteLine("PROBE requests: " + string.Join(", ", rig.Server.Requests.Select(r => r.Path + "(" + r.Form.GetValueOrDefault("token", r.Form.GetValueOrDefault("refresh_token", "")) + ")")));
        var stored = Support.Right(Support.Run(rig.Memory.Load(Key, CancellationToken.None)));
        Console.WriteLine("PROBE stored after logout: " + stored.Tokens.Map(t => t.AccessToken + "/" + t.RefreshToken.IfNone("")).IfNone("none") + " mark=" + stored.LoginRequired.IfNone("none"));
    }

    /// <summary>A Refresh(force) that reads the already-renewed tokens, arriving while the flight releases its lease, gets them back unrenewed.</summary>
    [Fact]
    public void ZzProbe_AForcedRefreshArrivingDuringReleaseGetsTheTokensItAskedToReplace()
    {
        var answers = 0;
        var arm = false;
        var innerLoaded = new ManualResetEventSlim();
        Task<Either<PkceError, TokenSet>>? inner = null;
        TokenSource? src = null;
        var rig = Rig(_ => Interlocked.Increment(ref answers) == 1 ? FakeServer.Token("at-1", refresh: "rt-1") : FakeServer.Token("at-2", refresh: "rt-2"),
            (source, store) => store with
            {
                Load = (k, ct) =>
                {
                    var r = store.Load(k, ct);
                    if (Thread.CurrentThread.Name == "inner") innerLoaded.Set();
                    return r;
                },
                Release = (k, h, ct) =>
                {
                    if (arm)
                    {
                        arm = false;
                        var t = new Thread(() => { inner = source().Refresh(k, CancellationToken.None).ToEither(); }) { Name = "inner", IsBackground = true };
                        t.Start();
                        innerLoaded.Wait();
                        t.Join();
                    }
                    return store.Release(k, h, ct);
                },
            });
        src = rig.Source;
        Support.Right(Support.Run(rig.Source.Save(Key, Response("at-0"), CancellationToken.None)));
        arm = true;
        var outer = Support.Right(Support.Run(rig.Source.Refresh(Key, CancellationToken.None)));
        var late = Support.Right(inner!.GetAwaiter().GetResult());
        Console.WriteLine($"PROBE outer={outer.AccessToken} late forced refresh (read at-1 before asking)={late.AccessToken} refreshes={rig.Source.Refreshes}");
    }
}
