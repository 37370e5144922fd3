using System.Net;
using System.Text;
using Pkce.Http;

namespace Pkce.Properties;

/// <summary>
/// A library awaits with <c>ConfigureAwait(false)</c> so that a caller that blocks on its task from a UI thread or a
/// classic ASP.NET request does not deadlock: no continuation of the library is ever posted to a caller's
/// <see cref="SynchronizationContext"/>. Checked here on every HTTP path (the port, token and refresh requests with
/// DPoP's retry, pushed authorization, discovery and its cache, the DPoP resource handler) with answers, bodies and
/// tokens that each complete on a thread of their own carrying a context of its own, which records every post: an
/// await that kept its context, wherever it is in the chain, posts to one of them.
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

    /// <summary>A task completed by a new thread whose context is a new <see cref="Recording"/>.</summary>
    private static Task<T> Elsewhere<T>(Posts posts, Func<T> make)
    {
        var done = new TaskCompletionSource<T>();
        new Thread(() =>
        {
            SynchronizationContext.SetSynchronizationContext(new Recording(posts));
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

    /// <summary>A body that is ready only on another thread.</summary>
    private sealed class ElsewhereContent : HttpContent
    {
        private readonly Posts _posts;
        private readonly byte[] _bytes;

        public ElsewhereContent(Posts posts, string text, string? mediaType = "application/json")
        {
            (_posts, _bytes) = (posts, Encoding.UTF8.GetBytes(text));
            if (mediaType is not null) Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await Elsewhere(_posts, () => 0).ConfigureAwait(false);
            stream.Write(_bytes);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _bytes.Length;
            return true;
        }
    }

    /// <summary>A server whose every answer, and its body, is ready on another thread.</summary>
    private sealed class ElsewhereServer(Posts posts, Func<int, HttpRequestMessage, (HttpStatusCode Status, string Body, (string, string)[] Headers)> answer) : HttpMessageHandler
    {
        public int Requests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref Requests) - 1;
            return Elsewhere(posts, () =>
            {
                var (status, body, headers) = answer(n, request);
                var response = new HttpResponseMessage(status) { Content = new ElsewhereContent(posts, body), RequestMessage = request };
                foreach (var (name, value) in headers) response.Headers.TryAddWithoutValidation(name, value);
                return response;
            });
        }

        public HttpPort Port() => new(new HttpClient(new PinnedTransport(this)));
    }

    /// <summary>Starts <paramref name="call"/> on the calling thread with a recording context as the caller's, and waits for it without one.</summary>
    private static T FromCallersContext<T>(Posts posts, Func<Task<T>> call)
    {
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(new Recording(posts));
        Task<T> task;
        try
        {
            task = call();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
        return task.GetAwaiter().GetResult();
    }

    private const string TokenBody = """{"access_token":"at","token_type":"DPoP","expires_in":60}""";
    private const string Issuer = "https://as.example/tenant";

    private static readonly (string, string)[] NoHeaders = [];

    [Fact]
    public void ThePortsSendAndBodyReadResumeOffTheCallersContext()
    {
        var posts = new Posts();
        var server = new ElsewhereServer(posts, (_, _) => (HttpStatusCode.OK, "{\"a\":1}", NoHeaders));
        using var port = server.Port();
        var answer = Support.Right(FromCallersContext(posts, () =>
            port.Post(new FormPost("token endpoint", new Uri("https://as.example/token"), Seq1(new QueryParameter("a", "1")), None), TimeSpan.FromSeconds(30), CancellationToken.None)));
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(answer.Body));
        Assert.Equal(0, posts.Count);
    }

    [Fact]
    public void ATokenRequestAndItsNonceRetryResumeOffTheCallersContext()
    {
        var posts = new Posts();
        var server = new ElsewhereServer(posts, (n, _) => n == 0
            ? (HttpStatusCode.BadRequest, """{"error":"use_dpop_nonce"}""", [("DPoP-Nonce", "n-1")])
            : (HttpStatusCode.OK, TokenBody, NoHeaders));
        var config = Support.Config();
        var deps = new Dependencies(Support.Replay([4]), Support.Clock(), server.Port()) { Dpop = Some(new DpopBinding(Support.Right(DpopKey.Generate()))) };
        var token = Support.Right(FromCallersContext(posts, () => Token.Send(config, deps, RefreshRequest.Build(config, "rt", None), CancellationToken.None)));
        Assert.Equal("at", token.AccessToken);
        Assert.Equal(2, server.Requests);
        Assert.Equal(0, posts.Count);
    }

    [Fact]
    public void ATokenRequestWithoutDpopResumesOffTheCallersContext()
    {
        var posts = new Posts();
        var server = new ElsewhereServer(posts, (_, _) => (HttpStatusCode.OK, TokenBody.Replace("DPoP", "Bearer"), NoHeaders));
        var config = Support.Config();
        var deps = new Dependencies(Support.Replay([4]), Support.Clock(), server.Port());
        Support.Right(FromCallersContext(posts, () => Token.Send(config, deps, RefreshRequest.Build(config, "rt", None), CancellationToken.None)));
        Assert.Equal(0, posts.Count);
    }

    [Fact]
    public void APushedRequestResumesOffTheCallersContext()
    {
        var posts = new Posts();
        var server = new ElsewhereServer(posts, (_, _) => (HttpStatusCode.Created, """{"request_uri":"urn:x","expires_in":60}""", NoHeaders));
        var config = Support.Config(Support.ValidSettings with { PushedAuthorizationRequestEndpoint = "https://as.example/par" });
        var pending = Support.Pending(config, Support.User("u"), DateTimeOffset.UnixEpoch);
        using var port = server.Port();
        var url = Support.Right(FromCallersContext(posts, () => PushedAuthorizationRequest.Push(config, port, pending, Seq<QueryParameter>(), CancellationToken.None).ToEither()));
        Assert.Contains("request_uri=urn%3Ax", url);
        Assert.Equal(0, posts.Count);
    }

    private static string Document => $$"""{"issuer":"{{Issuer}}","authorization_endpoint":"https://as.example/a","token_endpoint":"https://as.example/t"}""";

    [Fact]
    public void DiscoveryAtBothLocationsResumesOffTheCallersContext()
    {
        var posts = new Posts();
        var server = new ElsewhereServer(posts, (n, _) => n == 0 ? (HttpStatusCode.NotFound, "{}", NoHeaders) : (HttpStatusCode.OK, Document, NoHeaders));
        using var port = server.Port();
        Support.Right(FromCallersContext(posts, () => Discovery.Fetch(port, Issuer, TimeSpan.FromSeconds(30), CancellationToken.None).ToEither()));
        Assert.Equal(2, server.Requests);
        Assert.Equal(0, posts.Count);
    }

    [Fact]
    public void AWaitForTheCachesFetchResumesOffTheCallersContext()
    {
        var posts = new Posts();
        var server = new ElsewhereServer(posts, (_, _) => (HttpStatusCode.OK, Document, NoHeaders));
        var cache = new MetadataCache(server.Port(), Support.Clock(), TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30));
        Support.Right(FromCallersContext(posts, () => cache.Get(Issuer, CancellationToken.None).ToEither()));
        Assert.Equal(0, posts.Count);
    }

    [Fact]
    public void TheDpopResourceHandlerAndItsRetryResumeOffTheCallersContext()
    {
        var posts = new Posts();
        var server = new ElsewhereServer(posts, (n, _) => n == 0
            ? (HttpStatusCode.Unauthorized, "{}", [("DPoP-Nonce", "r-1"), ("WWW-Authenticate", "DPoP error=\"use_dpop_nonce\"")])
            : (HttpStatusCode.OK, "{}", NoHeaders));
        var dpop = new DpopBinding(Support.Right(DpopKey.Generate()));
        using var invoker = new HttpMessageInvoker(new DpopHandler(dpop, _ => Elsewhere(posts, () => "at"), Support.Replay([6]), Support.Clock()) { InnerHandler = server });
        using var response = FromCallersContext(posts, () =>
            invoker.SendAsync(new HttpRequestMessage(HttpMethod.Post, "https://api.example/items") { Content = new ElsewhereContent(posts, "body", "text/plain") }, CancellationToken.None));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, server.Requests);
        Assert.Equal(0, posts.Count);
    }
}
