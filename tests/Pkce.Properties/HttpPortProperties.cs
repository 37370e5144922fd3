using System.Net;
using System.Text;
using Pkce.Http;

namespace Pkce.Properties;

/// <summary>The HTTP port over an in-process server: what it sends, and how each kind of answer becomes a value.</summary>
public class HttpPortProperties
{
    private static readonly Uri Endpoint = new("https://as.example/token");

    private static FormPost Post(Option<string> authorization = default) =>
        new("token endpoint", Endpoint, Seq(new QueryParameter("a", "1 2"), new QueryParameter("b", "x&y")), authorization);

    private static Either<PkceError, HttpAnswer> Send(FakeServer server, FormPost post, TimeSpan? timeout = null)
    {
        using var port = server.Port();
        return port.Post(post, timeout ?? TimeSpan.FromSeconds(10), CancellationToken.None).GetAwaiter().GetResult();
    }

    private static Either<PkceError, HttpAnswer> PostOn(HttpPort port) =>
        port.Post(Post(), TimeSpan.FromSeconds(10), CancellationToken.None).GetAwaiter().GetResult();

    private static Either<PkceError, HttpAnswer> GetOn(HttpPort port) =>
        port.Get("discovery", Endpoint, TimeSpan.FromSeconds(10), CancellationToken.None).GetAwaiter().GetResult();

    [Fact]
    public void APostSendsItsFormAcceptJsonAndAuthorizationOnceToItsEndpoint()
    {
        var server = new FakeServer(_ => FakeServer.Json("{}"));
        Support.Right(Send(server, Post(Some("Basic abc"))));
        var sent = Assert.Single(server.Requests);
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal(Endpoint, sent.Uri);
        Assert.Equal("application/json", sent.Headers["Accept"]);
        Assert.Equal("Basic abc", sent.Headers["Authorization"]);
        Assert.False(sent.Headers.ContainsKey("DPoP"));
        Assert.Equal("1 2", sent.Form["a"]);
        Assert.Equal("x&y", sent.Form["b"]);
    }

    [Fact]
    public void AProofTravelsInTheDpopHeader()
    {
        var server = new FakeServer(_ => FakeServer.Json("{}"));
        Support.Right(Send(server, Post() with { Proof = Some("proof.jwt.value") }));
        Assert.Equal("proof.jwt.value", server.Requests[0].Headers["DPoP"]);
        Assert.False(server.Requests[0].Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public void AGetSendsNoBody()
    {
        var server = new FakeServer(_ => FakeServer.Json("{}"));
        using var port = server.Port();
        var answer = Support.Right(GetOn(port));
        Assert.Equal(HttpMethod.Get, server.Requests[0].Method);
        Assert.Empty(server.Requests[0].Form);
        Assert.Equal("discovery", answer.Endpoint);
    }

    [Fact]
    public void AnAnswerKeepsStatusContentTypeBodyNonceAndChallenges()
    {
        var server = new FakeServer(_ => FakeServer.Json(HttpStatusCode.Unauthorized, "{\"x\":1}",
            ("DPoP-Nonce", "n-1"), ("WWW-Authenticate", "DPoP error=\"use_dpop_nonce\""), ("WWW-Authenticate", "Bearer")));
        var answer = Support.Right(Send(server, Post()));
        Assert.Equal(401, answer.Status);
        Assert.Equal("token endpoint", answer.Endpoint);
        Assert.Equal(Some("application/json"), answer.ContentType);
        Assert.Equal("{\"x\":1}", Encoding.UTF8.GetString(answer.Body));
        Assert.Equal(Some("n-1"), answer.DpopNonce);
        Assert.Equal(2, answer.Challenges.Count);
        Assert.Equal("Bearer", answer.Challenges[1]);
    }

    [Fact]
    public void AnAnswerWithoutNonceOrChallengeHasNone()
    {
        var answer = Support.Right(Send(new FakeServer(_ => new HttpResponseMessage(HttpStatusCode.OK)), Post()));
        Assert.True(answer.DpopNonce.IsNone);
        Assert.True(answer.Challenges.IsEmpty);
        Assert.True(answer.ContentType.IsNone);
        Assert.Empty(answer.Body);
    }

    [Theory]
    [InlineData(300)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(399)]
    public void EveryRedirectStatusIsRefusedWithItsLocation(int status)
    {
        var server = new FakeServer(_ =>
        {
            var response = new HttpResponseMessage((HttpStatusCode)status);
            response.Headers.Location = new Uri("https://elsewhere.example/x");
            return response;
        });
        var error = Assert.IsType<PkceError.RedirectRefused>(Support.Left(Send(server, Post())));
        Assert.Equal("token endpoint", error.Endpoint);
        Assert.Equal(Some("https://elsewhere.example/x"), error.Location);
        Assert.Single(server.Requests);
    }

    [Theory]
    [InlineData(299)]
    [InlineData(400)]
    public void StatusesAroundTheRedirectRangeAreAnswers(int status) =>
        Assert.Equal(status, Support.Right(Send(new FakeServer(_ => new HttpResponseMessage((HttpStatusCode)status)), Post())).Status);

    [Fact]
    public void ABodyOfTheLimitIsReadAndOneByteMoreIsRefused()
    {
        Assert.Equal(HttpPort.MaxBodyBytes,
            Support.Right(Send(new FakeServer(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(new byte[HttpPort.MaxBodyBytes]) }), Post())).Body.Length);
        var error = Assert.IsType<PkceError.UnexpectedResponse>(Support.Left(
            Send(new FakeServer(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(new byte[HttpPort.MaxBodyBytes + 1]) }), Post())));
        Assert.Equal(200, error.Status);
        Assert.Contains(HttpPort.MaxBodyBytes.ToString(), error.Reason);
    }

    [Fact]
    public void ABodyOverTheLimitWithoutDeclaredLengthIsRefused()
    {
        var server = new FakeServer(_ => new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StreamContent(new MemoryStream(new byte[HttpPort.MaxBodyBytes + 10])) });
        var error = Assert.IsType<PkceError.UnexpectedResponse>(Support.Left(Send(server, Post())));
        Assert.Equal(400, error.Status);
    }

    [Fact]
    public void AFailedConnectionIsATransportFailureWithTheInnerReason()
    {
        var error = Assert.IsType<PkceError.TransportFailure>(Support.Left(Send(new FakeServer(_ => throw new HttpRequestException("connection refused here")), Post())));
        Assert.Equal("token endpoint", error.Endpoint);
        Assert.Contains("connection refused here", error.Reason);
    }

    [Fact]
    public void ASlowServerIsATimeoutAfterTheDeadline()
    {
        var server = new FakeServer(_ => FakeServer.Json("{}")) { Delay = TimeSpan.FromSeconds(5) };
        var error = Assert.IsType<PkceError.Timeout>(Support.Left(Send(server, Post(), TimeSpan.FromMilliseconds(50))));
        Assert.Equal(TimeSpan.FromMilliseconds(50), error.After);
    }

    [Fact]
    public void TheCallersCancellationThrows()
    {
        using var cancel = new CancellationTokenSource();
        var server = new FakeServer(_ => { cancel.Cancel(); throw new TaskCanceledException(); });
        using var port = server.Port();
        Assert.ThrowsAny<OperationCanceledException>(() => port.Post(Post(), TimeSpan.FromSeconds(10), cancel.Token).GetAwaiter().GetResult());
    }

    [Fact]
    public void AnAnswerThatDidNotPassThePinIsRefused()
    {
        // A client whose chain skips the library's pin: its answers are not trusted.
        using var port = new HttpPort(new HttpClient(new FakeServer(_ => FakeServer.Json("{}"))));
        var error = Assert.IsType<PkceError.RedirectRefused>(Support.Left(PostOn(port)));
        Assert.True(error.Location.IsNone);
    }

    [Fact]
    public void ARequestSentTwiceBelowThePinIsRefused()
    {
        // A handler above the pin that re-sends (a retry): the second send fails before leaving.
        var server = new FakeServer(_ => FakeServer.Json("{}"));
        using var port = new HttpPort(new HttpClient(new Resender(new PinnedTransport(server))));
        var error = Assert.IsType<PkceError.RedirectRefused>(Support.Left(PostOn(port)));
        Assert.Equal(Some(Endpoint.OriginalString), error.Location);
        Assert.Single(server.Requests);
    }

    [Fact]
    public void ARequestToAnotherAddressBelowThePinIsRefused()
    {
        var server = new FakeServer(_ => FakeServer.Json("{}"));
        using var port = new HttpPort(new HttpClient(new Redirector(new PinnedTransport(server))));
        var error = Assert.IsType<PkceError.RedirectRefused>(Support.Left(PostOn(port)));
        Assert.Equal(Some("https://elsewhere.example/token"), error.Location);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public void ThePinComparesSchemeHostPortPathAndQuery()
    {
        var a = new Uri("https://as.example/token?x=1");
        Assert.True(PinnedTransport.SameAddress(a, new Uri("https://as.example:443/token?x=1")));
        Assert.False(PinnedTransport.SameAddress(a, new Uri("http://as.example/token?x=1")));
        Assert.False(PinnedTransport.SameAddress(a, new Uri("https://as.example:8443/token?x=1")));
        Assert.False(PinnedTransport.SameAddress(a, new Uri("https://as.example/Token?x=1")));
        Assert.False(PinnedTransport.SameAddress(a, new Uri("https://as.example/token?x=2")));
        Assert.False(PinnedTransport.SameAddress(a, new Uri("https://u@as.example/token?x=1")));
    }

    [Fact]
    public void TheSocketUnderThePinNeverFollowsRedirectsNorDecompresses()
    {
        using var socket = PinnedTransport.Socket();
        Assert.False(socket.AllowAutoRedirect);
        Assert.Equal(DecompressionMethods.None, socket.AutomaticDecompression);
        Assert.Equal(TimeSpan.FromMinutes(5), socket.PooledConnectionLifetime);
    }

    [Fact]
    public void APortOfAUsedSocketIsAnArgumentError()
    {
        Assert.Throws<ArgumentNullException>(() => HttpPort.Of(null!));
        var fresh = new SocketsHttpHandler { AllowAutoRedirect = true };
        using (HttpPort.Of(fresh)) Assert.False(fresh.AllowAutoRedirect);
        using var used = new SocketsHttpHandler();
        using var invoker = new HttpMessageInvoker(used, disposeHandler: false);
        try { invoker.Send(new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:1/"), CancellationToken.None); } catch (HttpRequestException) { }
        Assert.Throws<ArgumentException>(() => HttpPort.Of(used));
    }

    private sealed class Resender(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            (await base.SendAsync(request, cancellationToken)).Dispose();
            return await base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class Redirector(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.RequestUri = new Uri("https://elsewhere.example/token");
            return base.SendAsync(request, cancellationToken);
        }
    }
}
