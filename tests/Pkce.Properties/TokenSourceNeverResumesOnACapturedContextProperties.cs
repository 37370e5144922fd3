using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using Pkce.Http;

namespace Pkce.Properties;

/// <summary>
/// A library must not resume its awaits on the caller's <see cref="SynchronizationContext"/> (ConfigureAwait(false)
/// on every await): a UI thread or a classic ASP.NET request that blocks on the result would otherwise deadlock.
/// An await can only capture the caller's context when it is the first to suspend, reached synchronously from the
/// caller's frame, every dependency before it having answered at once (an in-memory store does). So each path of the
/// token source (and of the HTTP port and revocation under it) is run once with every store operation and server
/// answer left pending, and once for each N with only the N-th of them left pending and the others answered at once;
/// a pending one is completed later by a pump thread with no context current. The operation is called with a
/// counting context current, as a caller's would be; no context may see a single post.
/// </summary>
public class TokenSourceNeverResumesOnACapturedContextProperties
{
    private static readonly TokenKey Key = new(Support.User("alice"), "https://api.example", "read");

    private static readonly PkceSettings Settings = Support.ValidSettings with { RevocationEndpoint = "https://as.example/revoke" };

    /// <summary>Counts the continuations posted to any of its instances; runs them on the pool with itself current.</summary>
    private sealed class CountingContext(StrongBox<int> posts) : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref posts.Value);
            ThreadPool.UnsafeQueueUserWorkItem(_ =>
            {
                var prior = Current;
                SetSynchronizationContext(this);
                try { d(state); }
                finally { SetSynchronizationContext(prior); }
            }, null);
        }

        public override void Send(SendOrPostCallback d, object? state) => Post(d, state);
    }

    /// <summary>Leaves results pending and completes them one by one from its own thread, with no context current.</summary>
    private sealed class Pump(int pendingAt)
    {
        private readonly BlockingCollection<Action> _due = [];
        private Thread? _thread;
        private int _calls;

        /// <summary>The most dependency calls one <see cref="Run{T}"/> made.</summary>
        public int MostCalls { get; private set; }

        public StrongBox<int> Posts { get; } = new(0);

        /// <summary>A context as a caller's would be, counting into <see cref="Posts"/>.</summary>
        public void EnterCallersContext() => SynchronizationContext.SetSynchronizationContext(new CountingContext(Posts));

        /// <summary>
        /// <paramref name="result"/>, completed later by the pump if this is the run's N-th dependency call (or any
        /// call, when N is 0); otherwise at once.
        /// </summary>
        public Task<T> Later<T>(T result)
        {
            EnterIfOnPump();
            var call = Interlocked.Increment(ref _calls);
            if (pendingAt != 0 && call != pendingAt) return Task.FromResult(result);
            var done = new TaskCompletionSource<T>();
            _due.Add(() => done.SetResult(result));
            return done.Task;
        }

        public void EnterIfOnPump()
        {
            if (Thread.CurrentThread == _thread) EnterCallersContext();
        }

        public EitherAsync<PkceError, T> Later<T>(EitherAsync<PkceError, T> operation) =>
            Later(operation.ToEither().GetAwaiter().GetResult()).ToAsync();

        public TokenStore Over(TokenStore store) => new(
            (key, ct) => Later(store.Load(key, ct)),
            (key, version, next, ct) => Later(store.Swap(key, version, next, ct)),
            (key, ct) => Later(store.Delete(key, ct)),
            (key, holder, ttl, ct) => Later(store.Acquire(key, holder, ttl, ct)),
            (key, holder, ct) => Later(store.Release(key, holder, ct)));

        /// <summary>Starts <paramref name="start"/> on the pump's thread in a caller's context, and pumps until it is done.</summary>
        public T Run<T>(Func<Task<T>> start)
        {
            Task<T>? running = null;
            Exception? failure = null;
            var thread = new Thread(() =>
            {
                try
                {
                    EnterCallersContext();
                    running = start();
                    while (!running.IsCompleted)
                    {
                        SynchronizationContext.SetSynchronizationContext(null);
                        if (_due.TryTake(out var next, 20)) next();
                    }
                }
                catch (Exception e)
                {
                    failure = e;
                }
                finally
                {
                    SynchronizationContext.SetSynchronizationContext(null);
                }
            });
            _thread = thread;
            _calls = 0;
            thread.Start();
            thread.Join();
            MostCalls = Math.Max(MostCalls, Volatile.Read(ref _calls));
            if (failure is not null) throw new Xunit.Sdk.XunitException("the pump failed: " + failure);
            return running!.GetAwaiter().GetResult();
        }
    }

    /// <summary>A clock that, read on the pump's thread, makes a caller's context current like the other dependencies.</summary>
    private sealed class ContextClock(TimeProvider inner, Pump pump) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow()
        {
            pump.EnterIfOnPump();
            return inner.GetUtcNow();
        }

        public override long GetTimestamp()
        {
            pump.EnterIfOnPump();
            return inner.GetTimestamp();
        }

        public override long TimestampFrequency => inner.TimestampFrequency;
    }

    /// <summary>The in-process server, its answers completed later by the pump.</summary>
    private sealed class LateServer(Pump pump, Func<FakeServer.Sent, HttpResponseMessage> answer) : HttpMessageHandler
    {
        private readonly FakeServer _server = new(answer);

        public List<FakeServer.Sent> Requests => _server.Requests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            pump.Later(new HttpMessageInvoker(_server, disposeHandler: false).SendAsync(request, cancellationToken).GetAwaiter().GetResult());
    }

    private sealed record Rig(TokenSource Source, InMemoryTokenStore Memory, Pump Pump, LateServer Server, Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock);

    private static Rig RigFor(int pendingAt, Func<FakeServer.Sent, HttpResponseMessage> answer, Func<InMemoryTokenStore, TokenStore>? store = null,
        TimeProvider? clock = null, Func<Rig, Func<FakeServer.Sent, HttpResponseMessage>>? answerFor = null)
    {
        var fake = Support.Clock();
        var pump = new Pump(pendingAt);
        Rig? rig = null;
        var server = new LateServer(pump, sent => answerFor is null ? answer(sent) : answerFor(rig!)(sent));
        var memory = new InMemoryTokenStore(clock ?? fake);
        var deps = new Dependencies(Support.Replay([7]), new ContextClock(clock ?? fake, pump), new HttpPort(new HttpClient(new PinnedTransport(server))));
        var source = new TokenSource(Support.Config(Settings), deps, pump.Over(store is null ? memory.Ports : store(memory)),
            new TokenSourceOptions(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30)));
        return rig = new Rig(source, memory, pump, server, fake);
    }

    private static TokenResponse Response(string access, string? refresh = "rt-0") =>
        new(access, "Bearer", Some(TimeSpan.FromHours(1)), Optional(refresh), None, None, HashMap<string, System.Text.Json.JsonElement>(), "{}");

    private static Either<PkceError, T> Run<T>(Rig rig, Func<TokenSource, EitherAsync<PkceError, T>> call) => rig.Pump.Run(() => call(rig.Source).ToEither());

    private static TokenSet Save(Rig rig, string access, string? refresh = "rt-0") =>
        Support.Right(Run(rig, s => s.Save(Key, Response(access, refresh), CancellationToken.None)));

    private static StoredTokens Stored(Rig rig) => Support.Right(Support.Run(rig.Memory.Load(Key, CancellationToken.None)));

    /// <summary>Writes <paramref name="tokens"/> over whatever is stored, as another process would.</summary>
    private static void WriteElsewhere(InMemoryTokenStore memory, Option<TokenSet> tokens)
    {
        var version = Support.Right(Support.Run(memory.Load(Key, CancellationToken.None))).Version;
        Assert.True(Support.Right(Support.Run(memory.Swap(Key, version, new StoredTokens(0, tokens, None), CancellationToken.None))));
    }

    /// <summary>Which dependency call is left pending: 0 for all of them, else the N-th of each run.</summary>
    public static TheoryData<int> Suspensions => [.. Enumerable.Range(0, MostCallsInARun + 2)];

    /// <summary>More than any run below makes, so every N reaches past the last call (checked with N = 0).</summary>
    private const int MostCallsInARun = 14;

    /// <summary>No context saw a post; and with every call pending, no run made more calls than the N go up to.</summary>
    private static void NoPost(Rig rig, int pendingAt)
    {
        Assert.Equal(0, rig.Pump.Posts.Value);
        if (pendingAt == 0) Assert.InRange(rig.Pump.MostCalls, 1, MostCallsInARun);
    }

    [Theory]
    [MemberData(nameof(Suspensions))]
    public void SaveGetRefreshAndRevokeNeverPostToTheCallersContext(int pendingAt)
    {
        var rig = RigFor(pendingAt, sent => sent.Path == "/revoke" ? new HttpResponseMessage(HttpStatusCode.OK) : FakeServer.Token("at-1", refresh: "rt-1"));
        Save(rig, "at-0");
        Save(rig, "at-0b");
        Assert.Equal("at-0b", Support.Right(Run(rig, s => s.Get(Key, CancellationToken.None))).AccessToken);
        Assert.Equal("at-1", Support.Right(Run(rig, s => s.Refresh(Key, CancellationToken.None))).AccessToken);
        Assert.True(Support.Right(Run(rig, s => s.Revoke(Key, CancellationToken.None))).IsNone);
        Assert.Equal(new[] { "/token", "/revoke", "/revoke" }, rig.Server.Requests.Select(r => r.Path));
        NoPost(rig, pendingAt);
    }

    [Theory]
    [MemberData(nameof(Suspensions))]
    public void ARevokeWaitingForARefreshInFlightNeverPostsToTheCallersContext(int pendingAt)
    {
        Task<Either<PkceError, Option<PkceError>>>? revoking = null;
        var outside = ExecutionContext.Capture()!;
        var rig = RigFor(pendingAt, _ => throw new InvalidOperationException(), answerFor: rig => sent =>
        {
            if (sent.Path == "/revoke") return new HttpResponseMessage(HttpStatusCode.OK);
            // A logout asked for while the refresh is on the wire, by another caller (outside the refresh's flow:
            // from inside it, the call would be refused) in a caller's context.
            ExecutionContext.Run(outside, _ =>
            {
                rig.Pump.EnterCallersContext();
                revoking = rig.Source.Revoke(Key, CancellationToken.None).ToEither();
            }, null);
            return FakeServer.Token("at-1", refresh: "rt-1");
        });
        Save(rig, "at-0");
        Assert.Equal("at-1", Support.Right(Run(rig, s => s.Refresh(Key, CancellationToken.None))).AccessToken);
        Assert.True(Support.Right(rig.Pump.Run(() => revoking!)).IsNone);
        // The rotated refresh token is the one revoked: the logout waited for the refresh.
        Assert.Equal("rt-1", rig.Server.Requests[1].Form["token"]);
        NoPost(rig, pendingAt);
    }

    [Theory]
    [MemberData(nameof(Suspensions))]
    public void ARenewalThatLosesTheSwapNeverPostsToTheCallersContext(int pendingAt)
    {
        var interfere = false;
        var rig = RigFor(pendingAt, _ => FakeServer.Token("at-1", refresh: "rt-1"), store: memory => memory.Ports with
        {
            Swap = (key, version, next, ct) =>
            {
                if (interfere)
                {
                    interfere = false;
                    WriteElsewhere(memory, Some(TokenSet.From(Response("at-theirs"), Support.Clock().GetUtcNow())));
                }
                return memory.Swap(key, version, next, ct);
            },
        });
        Save(rig, "at-0");
        interfere = true;
        Assert.Equal("at-theirs", Support.Right(Run(rig, s => s.Refresh(Key, CancellationToken.None))).AccessToken);
        NoPost(rig, pendingAt);
    }

    [Theory]
    [MemberData(nameof(Suspensions))]
    public void MarkingALoginRequiredNeverPostsToTheCallersContext(int pendingAt)
    {
        var interfere = false;
        var rig = RigFor(pendingAt, _ => FakeServer.OAuthError("invalid_grant"), store: memory => memory.Ports with
        {
            Swap = (key, version, next, ct) =>
            {
                if (interfere)
                {
                    interfere = false;
                    WriteElsewhere(memory, Some(TokenSet.From(Response("at-new-login"), Support.Clock().GetUtcNow())));
                }
                return memory.Swap(key, version, next, ct);
            },
        });
        Save(rig, "at-0");
        Assert.IsType<PkceError.LoginRequired>(Support.Left(Run(rig, s => s.Refresh(Key, CancellationToken.None))));
        Save(rig, "at-1");
        interfere = true;
        // A new login written while the refused refresh was marked wins over the mark.
        Assert.Equal("at-new-login", Support.Right(Run(rig, s => s.Refresh(Key, CancellationToken.None))).AccessToken);
        Save(rig, "at-2", refresh: null);
        rig.Clock.Advance(TimeSpan.FromHours(2));
        Assert.IsType<PkceError.LoginRequired>(Support.Left(Run(rig, s => s.Get(Key, CancellationToken.None))));
        NoPost(rig, pendingAt);
    }

    [Theory]
    [MemberData(nameof(Suspensions))]
    public void KeepingARotatedRefreshTokenAndWritingAnUnsavedRenewalNeverPostToTheCallersContext(int pendingAt)
    {
        var failSwaps = false;
        var answers = 0;
        var rig = RigFor(pendingAt, _ => Interlocked.Increment(ref answers) == 1 ? FakeServer.Token("at-1", refresh: "rt-1", type: "mac") : FakeServer.Token("at-2", refresh: "rt-2"),
            store: memory => memory.Ports with
            {
                Swap = (key, version, next, ct) => failSwaps ? LeftAsync<PkceError, bool>(new PkceError.StoreFailure("disk full")) : memory.Swap(key, version, next, ct),
            });
        Save(rig, "at-0");
        Assert.IsType<PkceError.UnsupportedTokenType>(Support.Left(Run(rig, s => s.Refresh(Key, CancellationToken.None))));
        failSwaps = true;
        Assert.IsType<PkceError.StoreFailure>(Support.Left(Run(rig, s => s.Get(Key, CancellationToken.None))));
        failSwaps = false;
        Assert.Equal("at-2", Support.Right(Run(rig, s => s.Get(Key, CancellationToken.None))).AccessToken);
        Assert.Equal("at-2", Stored(rig).Tokens.Map(t => t.AccessToken).IfNone(""));
        NoPost(rig, pendingAt);
    }

    [Theory]
    [MemberData(nameof(Suspensions))]
    public void WaitingForAnotherHoldersLeaseNeverPostsToTheCallersContext(int pendingAt)
    {
        var polls = 0;
        var rig = RigFor(pendingAt, _ => throw new InvalidOperationException("the other holder renews"), clock: TimeProvider.System, store: memory => memory.Ports with
        {
            Load = (key, ct) =>
            {
                // The other holder writes its renewal while this source polls.
                if (Interlocked.Increment(ref polls) == 4)
                    WriteElsewhere(memory, Some(TokenSet.From(Response("at-theirs"), TimeProvider.System.GetUtcNow())));
                return memory.Load(key, ct);
            },
        });
        Save(rig, "at-0");
        Assert.True(Support.Right(Support.Run(rig.Memory.Acquire(Key, "someone else", TimeSpan.FromMinutes(5), CancellationToken.None))));
        Assert.Equal("at-theirs", Support.Right(Run(rig, s => s.Refresh(Key, CancellationToken.None))).AccessToken);
        Assert.Empty(rig.Server.Requests);
        NoPost(rig, pendingAt);
    }
}
