using System.Net;
using System.Text;
using Pkce.Http;

namespace Pkce.Properties;

/// <summary>
/// A library awaits with <c>ConfigureAwait(false)</c> so that a caller that blocks on its task from a UI thread or a
/// classic ASP.NET request does not deadlock: no continuation of the library is ever posted to a caller's
/// <see cref="SynchronizationContext"/>. Checked here on every HTTP path (the port, token and refresh requests with
/// DPoP's retry, pushed authorization, discovery and its cache, the DPoP resource handler) with answers, bodies and
/// tokens of which one at a time completes on another thread, all before it at once: the library's code up to that
/// point runs on the caller's thread, so an await there that kept the caller's context posts to it.
/// </summary>
public class NeverResumesOnTheCallersContextProperties
{
    private sealed class Posts
    {
        public int Count;
    }

    private sealed class Recording(Posts posts) : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref posts.Count);
            base.Post(d, state);
        }

        public override void Send(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref posts.Count);
            base.Send(d, state);
        }

        public override SynchronizationContext CreateCopy() => new Recording(posts);
    }

    /// <summary>
    /// A task completed by a new thread (whose context is a new <see cref="Recording"/>) once <paramref name="returned"/>
    /// is set: when the caller has its task back, so every await before this point has been registered.
    /// </summary>
    private static Task<T> Elsewhere<T>(Posts posts, ManualResetEventSlim returned, Func<T> make)
    {
        var done = new TaskCompletionSource<T>();
        new Thread(() =>
        {
            SynchronizationContext.SetSynchronizationContext(new Recording(posts));
            returned.Wait();
            try
            {
                done.SetResult(make());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }) { IsBackground = true }.Start();
        return done.Task;
    }

    /// <summary>
    /// The points where the library waits (an answer, a body, a token), numbered in the order they are met: the
    /// chosen one completes on another thread, every other one at once. The library's code before the chosen point
    /// then still runs on the caller's thread, so an await there that kept its context would post to the caller's.
    /// </summary>
    private sealed class Steps(Posts posts, int elsewhere)
    {
        private int _taken;

        public Posts Posts { get; } = posts;

        /// <summary>Set when the caller has its task back.</summary>
        public ManualResetEventSlim Returned { get; } = new();

        public int Taken => _taken;

        public Task<T> Next<T>(Func<T> make) =>
            Interlocked.Increment(ref _taken) - 1 == elsewhere ? Elsewhere(Posts, Returned, make) : Task.FromResult(make());
    }

    /// <summary>A body that is ready when its step says.</summary>
    private sealed class StepContent : HttpContent
    {
        private readonly Steps _steps;
        private readonly byte[] _bytes;

        public StepContent(Steps steps, string text, string mediaType = "application/json")
        {
            (_steps, _bytes) = (steps, Encoding.UTF8.GetBytes(text));
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await _steps.Next(() => 0).ConfigureAwait(false);
            stream.Write(_bytes);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _bytes.Length;
            return true;
        }
    }

    /// <summary>A server whose every answer, and its body, is ready when its step says.</summary>
    private sealed class StepServer(Steps steps, Func<int, (HttpStatusCode Status, string Body, (string, string)[] Headers)> answer) : HttpMessageHandler
    {
        public int Requests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref Requests) - 1;
            return steps.Next(() =>
            {
                var (status, body, headers) = answer(n);
                var response = new HttpResponseMessage(status) { Content = new StepContent(steps, body), RequestMessage = request };
                foreach (var (name, value) in headers) response.Headers.TryAddWithoutValidation(name, value);
                return response;
            });
        }

        public HttpPort Port() => new(new HttpClient(new PinnedTransport(this)));
    }

    /// <summary>Starts <paramref name="call"/> on the calling thread with a recording context as the caller's, and waits for it without one.</summary>
    private static T FromCallersContext<T>(Steps steps, Func<Task<T>> call)
    {
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(new Recording(steps.Posts));
        Task<T> task;
        try
        {
            task = call();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
            steps.Returned.Set();
        }
        return task.GetAwaiter().GetResult();
    }

    private const string TokenBody = """{"access_token":"at","token_type":"DPoP","expires_in":60}""";
    private const string Issuer = "https://as.example/tenant";

    private static readonly (string, string)[] NoHeaders = [];

    [Theory]
    [InlineData(0)] // the answer
    [InlineData(1)] // its body
    public void ThePortsSendAndBodyReadResumeOffTheCallersContext(int elsewhere)
    {
        var posts = new Posts();
        var steps = new Steps(posts, elsewhere);
        var server = new StepServer(steps, _ => (HttpStatusCode.OK, "{\"a\":1}", NoHeaders));
        using var port = server.Port();
        var answer = Support.Right(FromCallersContext(steps, () =>
            port.Post(new FormPost("token endpoint", new Uri("https://as.example/token"), Seq1(new QueryParameter("a", "1")), None), TimeSpan.FromSeconds(30), CancellationToken.None)));
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(answer.Body));
        Assert.True(steps.Taken > elsewhere);
        Assert.Equal(0, posts.Count);
    }

    [Theory]
    [InlineData(0)] // the first answer
    [InlineData(1)] // its body
    [InlineData(2)] // the answer to the retry
    [InlineData(3)] // its body
    public void ATokenRequestAndItsNonceRetryResumeOffTheCallersContext(int elsewhere)
    {
        var posts = new Posts();
        var steps = new Steps(posts, elsewhere);
        var server = new StepServer(steps, n => n == 0
            ? (HttpStatusCode.BadRequest, """{"error":"use_dpop_nonce"}""", [("DPoP-Nonce", "n-1")])
            : (HttpStatusCode.OK, TokenBody, NoHeaders));
        var config = Support.Config();
        var deps = new Dependencies(Support.Replay([4]), Support.Clock(), server.Port()) { Dpop = Some(new DpopBinding(Support.Right(DpopKey.Generate()))) };
        var token = Support.Right(FromCallersContext(steps, () => Token.Send(config, deps, RefreshRequest.Build(config, "rt", None), CancellationToken.None)));
        Assert.Equal("at", token.AccessToken);
        Assert.Equal(2, server.Requests);
        Assert.True(steps.Taken > elsewhere);
        Assert.Equal(0, posts.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void ATokenRequestWithoutDpopResumesOffTheCallersContext(int elsewhere)
    {
        var posts = new Posts();
        var steps = new Steps(posts, elsewhere);
        var server = new StepServer(steps, _ => (HttpStatusCode.OK, TokenBody.Replace("DPoP", "Bearer"), NoHeaders));
        var config = Support.Config();
        var deps = new Dependencies(Support.Replay([4]), Support.Clock(), server.Port());
        Support.Right(FromCallersContext(steps, () => Token.Send(config, deps, RefreshRequest.Build(config, "rt", None), CancellationToken.None)));
        Assert.True(steps.Taken > elsewhere);
        Assert.Equal(0, posts.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void APushedRequestResumesOffTheCallersContext(int elsewhere)
    {
        var posts = new Posts();
        var steps = new Steps(posts, elsewhere);
        var server = new StepServer(steps, _ => (HttpStatusCode.Created, """{"request_uri":"urn:x","expires_in":60}""", NoHeaders));
        var config = Support.Config(Support.ValidSettings with { PushedAuthorizationRequestEndpoint = "https://as.example/par" });
        var pending = Support.Pending(config, Support.User("u"), DateTimeOffset.UnixEpoch);
        using var port = server.Port();
        var url = Support.Right(FromCallersContext(steps, () => PushedAuthorizationRequest.Push(config, port, pending, Seq<QueryParameter>(), CancellationToken.None).ToEither()));
        Assert.Contains("request_uri=urn%3Ax", url);
        Assert.True(steps.Taken > elsewhere);
        Assert.Equal(0, posts.Count);
    }

    private static string Document => $$"""{"issuer":"{{Issuer}}","authorization_endpoint":"https://as.example/a","token_endpoint":"https://as.example/t"}""";

    [Theory]
    [InlineData(0)] // the first location's answer
    [InlineData(1)] // its body
    [InlineData(2)] // the second location's answer
    [InlineData(3)] // its body
    public void DiscoveryAtBothLocationsResumesOffTheCallersContext(int elsewhere)
    {
        var posts = new Posts();
        var steps = new Steps(posts, elsewhere);
        var server = new StepServer(steps, n => n == 0 ? (HttpStatusCode.NotFound, "{}", NoHeaders) : (HttpStatusCode.OK, Document, NoHeaders));
        using var port = server.Port();
        Support.Right(FromCallersContext(steps, () => Discovery.Fetch(port, Issuer, TimeSpan.FromSeconds(30), CancellationToken.None).ToEither()));
        Assert.Equal(2, server.Requests);
        Assert.True(steps.Taken > elsewhere);
        Assert.Equal(0, posts.Count);
    }

    [Fact]
    public void AWaitForTheCachesFetchResumesOffTheCallersContext()
    {
        var posts = new Posts();
        var steps = new Steps(posts, 0);
        var server = new StepServer(steps, _ => (HttpStatusCode.OK, Document, NoHeaders));
        var cache = new MetadataCache(server.Port(), Support.Clock(), TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30));
        Support.Right(FromCallersContext(steps, () => cache.Get(Issuer, CancellationToken.None).ToEither()));
        Assert.Equal(0, posts.Count);
    }

    [Theory]
    [InlineData(0)] // the request's body, buffered before the first send
    [InlineData(1)] // the access token
    [InlineData(2)] // the first answer
    [InlineData(3)] // the answer to the retry
    public void TheDpopResourceHandlerAndItsRetryResumeOffTheCallersContext(int elsewhere)
    {
        var posts = new Posts();
        var steps = new Steps(posts, elsewhere);
        var server = new StepServer(steps, n => n == 0
            ? (HttpStatusCode.Unauthorized, "{}", [("DPoP-Nonce", "r-1"), ("WWW-Authenticate", "DPoP error=\"use_dpop_nonce\"")])
            : (HttpStatusCode.OK, "{}", NoHeaders));
        var dpop = new DpopBinding(Support.Right(DpopKey.Generate()));
        using var invoker = new HttpMessageInvoker(new DpopHandler(dpop, _ => steps.Next(() => "at"), Support.Replay([6]), Support.Clock()) { InnerHandler = server });
        using var response = FromCallersContext(steps, () =>
            invoker.SendAsync(new HttpRequestMessage(HttpMethod.Post, "https://api.example/items") { Content = new StepContent(steps, "body", "text/plain") }, CancellationToken.None));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, server.Requests);
        Assert.True(steps.Taken > elsewhere);
        Assert.Equal(0, posts.Count);
    }
}
