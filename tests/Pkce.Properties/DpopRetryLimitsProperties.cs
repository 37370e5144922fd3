using System.Net;
using Pkce.Http;

namespace Pkce.Properties;

/// <summary>
/// The limits of DPoP's one retry (RFC 9449 §8, §9): the token request's retry only within what is left of the one
/// deadline; the resource handler's retry only for an answer from the request's own address, with the same body even
/// when the caller's content can be read once, releasing the answer it replaces and remembering the nonce of the last.
/// </summary>
public class DpopRetryLimitsProperties
{
    private static DpopBinding Binding() => new(Support.Right(DpopKey.Generate()));

    private static HttpResponseMessage NonceError(string nonce) =>
        FakeServer.Json(HttpStatusCode.BadRequest, """{"error":"use_dpop_nonce"}""", ("DPoP-Nonce", nonce));

    [Theory]
    [InlineData(0, 2)]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    public void ATokenRequestIsRetriedOnlyWhileSomeOfItsDeadlineIsLeft(int deadlinesSpent, int requests)
    {
        var config = Support.Config();
        var clock = Support.Clock();
        // The first answer comes back once the given number of whole deadlines (by the flow's clock) has passed.
        var sent = 0;
        var server = new FakeServer(s =>
        {
            if (sent++ == 0) clock.Advance(config.Timeout * deadlinesSpent);
            return Jws.Read(s.Headers["DPoP"]).Payload.TryGetProperty("nonce", out _) ? FakeServer.Token("at-1", type: "DPoP") : NonceError("n-1");
        });
        var result = Support.Run(RefreshRequest.Send(config, new Dependencies(Support.Replay([3]), clock, server.Port()) { Dpop = Some(Binding()) }, "rt-0", None, CancellationToken.None));
        Assert.Equal(requests, server.Requests.Count);
        Assert.Equal(requests == 2, result.IsRight);
    }

    /// <summary>An inner handler that reads each request's body as a socket does: copied once from the content, never buffered by it.</summary>
    private sealed class Socketlike(Func<int, HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public List<string> Bodies { get; } = [];
        public List<HttpResponseMessage> Answers { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = new MemoryStream();
            if (request.Content is { } content) await content.CopyToAsync(body, cancellationToken);
            Bodies.Add(System.Text.Encoding.UTF8.GetString(body.ToArray()));
            var response = answer(Answers.Count, request);
            response.RequestMessage ??= request;
            Answers.Add(response);
            return response;
        }
    }

    /// <summary>A stream that can be read once, from its start: a request body coming from a socket or a file being uploaded.</summary>
    private sealed class ReadOnce(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    private static HttpResponseMessage AsksForNonce(string nonce)
    {
        var response = new HttpResponseMessage(HttpStatusCode.Unauthorized) { Content = new StringContent("first") };
        response.Headers.TryAddWithoutValidation("DPoP-Nonce", nonce);
        response.Headers.TryAddWithoutValidation("WWW-Authenticate", "DPoP error=\"use_dpop_nonce\"");
        return response;
    }

    private static HttpResponseMessage Send(HttpMessageHandler inner, DpopBinding dpop, HttpRequestMessage request)
    {
        using var invoker = new HttpMessageInvoker(new DpopHandler(dpop, _ => Task.FromResult("at-1"), Support.Replay([5]), Support.Clock()) { InnerHandler = inner });
        return invoker.SendAsync(request, CancellationToken.None).GetAwaiter().GetResult();
    }

    [Fact]
    public void TheRetrySendsTheSameBodyReleasesTheFirstAnswerAndKeepsTheLastNonce()
    {
        var dpop = Binding();
        var inner = new Socketlike((n, _) =>
        {
            if (n == 0) return AsksForNonce("r-1");
            var ok = new HttpResponseMessage(HttpStatusCode.OK);
            ok.Headers.TryAddWithoutValidation("DPoP-Nonce", "r-2");
            return ok;
        });
        using var response = Send(inner, dpop, new HttpRequestMessage(HttpMethod.Post, "https://api.example/items") { Content = new StreamContent(new ReadOnce("payload"u8.ToArray())) });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["payload", "payload"], inner.Bodies);
        Assert.Throws<ObjectDisposedException>(() => inner.Answers[0].Content.ReadAsStringAsync().GetAwaiter().GetResult());
        Assert.Equal(Some("r-2"), dpop.Nonces.For(new Uri("https://api.example/")));
    }

    [Fact]
    public void AnAnswerFromAnotherAddressIsNeverRetried()
    {
        // A handler below that followed a redirect: its answer names the address it came from.
        var inner = new Socketlike((_, _) =>
        {
            var response = AsksForNonce("r-1");
            response.RequestMessage = new HttpRequestMessage(HttpMethod.Get, "https://elsewhere.example/items");
            return response;
        });
        using var response = Send(inner, Binding(), new HttpRequestMessage(HttpMethod.Get, "https://api.example/items"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Single(inner.Bodies);
    }
}
