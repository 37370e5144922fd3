using System.Net;
using System.Net.Http.Headers;
using Pkce.Http;

namespace Pkce.Properties;

/// <summary>
/// DPoP on the wire (RFC 9449): the token request's proof and its one retry with a server nonce (§8), and the resource
/// handler's proof, <c>ath</c> and nonce retry (§7.1, §9), against in-process servers.
/// </summary>
public class DpopExchangeProperties
{
    private static readonly TokenKey Key = new(Support.User("alice"), "https://api.example", "read");

    private static DpopBinding Binding() => new(Support.Right(DpopKey.Generate()));

    private static HttpResponseMessage NonceError(string nonce) =>
        FakeServer.Json(HttpStatusCode.BadRequest, """{"error":"use_dpop_nonce"}""", ("DPoP-Nonce", nonce));

    private static Either<PkceError, TokenResponse> Refresh(FakeServer server, DpopBinding dpop) =>
        Support.Run(RefreshRequest.Send(Support.Config(), new Dependencies(Support.Replay([3]), Support.Clock(), server.Port()) { Dpop = Some(dpop) },
            "rt-0", None, CancellationToken.None));

    [Fact]
    public void ANonceAskedForIsUsedInOneRetry()
    {
        var server = new FakeServer(s => Jws.Read(s.Headers["DPoP"]).Payload.TryGetProperty("nonce", out _)
            ? FakeServer.Token("at-1", type: "DPoP") : NonceError("n-1"));
        var dpop = Binding();
        Assert.Equal("DPoP", Support.Right(Refresh(server, dpop)).TokenType);
        Assert.Equal(2, server.Requests.Count);
        var second = Jws.Read(server.Requests[1].Headers["DPoP"]);
        Assert.Equal("n-1", second.Payload.GetProperty("nonce").GetString());
        Assert.Equal("POST", second.Payload.GetProperty("htm").GetString());
        Assert.Equal("https://as.example/token", second.Payload.GetProperty("htu").GetString());
        Assert.False(second.Payload.TryGetProperty("ath", out _));
        Assert.Equal(Some("n-1"), dpop.Nonces.For(new Uri("https://as.example/token")));
    }

    [Fact]
    public void ANonceIsRetriedOnlyOnce()
    {
        var server = new FakeServer(_ => NonceError("n-again"));
        var error = Assert.IsType<PkceError.EndpointError>(Support.Left(Refresh(server, Binding())));
        Assert.Equal("use_dpop_nonce", error.Error);
        Assert.Equal(2, server.Requests.Count);
    }

    [Theory]
    [InlineData(401, """{"error":"use_dpop_nonce"}""", "n-1")]
    [InlineData(400, """{"error":"invalid_grant"}""", "n-1")]
    [InlineData(400, """{"error":"use_dpop_nonce"}""", null)]
    [InlineData(400, """{"error":"use_dpop_nonce"}""", "bad nonce\u0001")]
    [InlineData(400, """["use_dpop_nonce"]""", "n-1")]
    [InlineData(400, """{"error":1}""", "n-1")]
    [InlineData(400, """not json""", "n-1")]
    public void AnythingElseThanA400AskingForANonceWithOneIsNotRetried(int status, string body, string? nonce)
    {
        var server = new FakeServer(_ => nonce is null
            ? FakeServer.Json((HttpStatusCode)status, body)
            : FakeServer.Json((HttpStatusCode)status, body, ("DPoP-Nonce", nonce)));
        Support.Left(Refresh(server, Binding()));
        Assert.Single(server.Requests);
    }

    [Fact]
    public void WithoutDpopNoProofIsSent()
    {
        var server = new FakeServer(_ => FakeServer.Token("at-1"));
        Support.Right(Support.Run(RefreshRequest.Send(Support.Config(), server.Port(), "rt-0", Some("read"), CancellationToken.None)));
        Assert.False(server.Requests[0].Headers.ContainsKey("DPoP"));
        Assert.Equal("read", server.Requests[0].Form["scope"]);
    }

    private static HttpClient Client(FakeServer server, DpopBinding dpop) =>
        new(new DpopHandler(dpop, _ => Task.FromResult("at-xyz"), Support.Replay([9]), Support.Clock()) { InnerHandler = server });

    [Fact]
    public async Task TheResourceHandlerSendsTheTokenAsDpopWithAProofBoundToIt()
    {
        var server = new FakeServer(_ => new HttpResponseMessage(HttpStatusCode.OK));
        using var client = Client(server, Binding());
        using var response = await client.GetAsync("https://api.example/items?x=1");
        var sent = Assert.Single(server.Requests);
        Assert.Equal("DPoP at-xyz", sent.Headers["Authorization"]);
        var proof = Jws.Read(sent.Headers["DPoP"]);
        Assert.Equal("GET", proof.Payload.GetProperty("htm").GetString());
        Assert.Equal("https://api.example/items", proof.Payload.GetProperty("htu").GetString());
        Assert.True(proof.Payload.TryGetProperty("ath", out _));
        Assert.True(proof.Verifies());
    }

    [Fact]
    public async Task TheResourceHandlerRetriesOnceWithTheNonceItIsAskedFor()
    {
        var server = new FakeServer(s => Jws.Read(s.Headers["DPoP"]).Payload.TryGetProperty("nonce", out _)
            ? new HttpResponseMessage(HttpStatusCode.OK)
            : Unauthorized("r-1"));
        var dpop = Binding();
        using var client = Client(server, dpop);
        using var response = await client.PostAsync("https://api.example/items", new StringContent("body"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal("r-1", Jws.Read(server.Requests[1].Headers["DPoP"]).Payload.GetProperty("nonce").GetString());
        Assert.Equal(Some("r-1"), dpop.Nonces.For(new Uri("https://api.example/")));
    }

    [Fact]
    public async Task TheResourceHandlerDoesNotRetryAnUnauthorizedWithoutTheNonceChallenge()
    {
        var server = new FakeServer(_ =>
        {
            var r = new HttpResponseMessage(HttpStatusCode.Unauthorized);
            r.Headers.TryAddWithoutValidation("DPoP-Nonce", "r-1");
            r.Headers.TryAddWithoutValidation("WWW-Authenticate", "DPoP error=\"invalid_token\"");
            return r;
        });
        using var client = Client(server, Binding());
        using var response = await client.GetAsync("https://api.example/items");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task TheResourceHandlerDoesNotRetryA403AskingForANonce()
    {
        var server = new FakeServer(_ => { var r = Unauthorized("r-1"); r.StatusCode = HttpStatusCode.Forbidden; return r; });
        using var client = Client(server, Binding());
        using var response = await client.GetAsync("https://api.example/items");
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task TheResourceHandlerRefusesAnInnerHandlerThatFollowsRedirects()
    {
        using var client = new HttpClient(new DpopHandler(Binding(), _ => Task.FromResult("t")) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = true } });
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetAsync("https://api.example/"));
        using var client2 = new HttpClient(new DpopHandler(Binding(), _ => Task.FromResult("t")) { InnerHandler = new HttpClientHandler { AllowAutoRedirect = true } });
        await Assert.ThrowsAsync<InvalidOperationException>(() => client2.GetAsync("https://api.example/"));
    }

    [Fact]
    public void AuthorizeReplacesAnEarlierProofAndNeedsAnAbsoluteUri()
    {
        var dpop = Binding();
        using var request = new HttpRequestMessage(HttpMethod.Delete, "https://api.example/x");
        DpopResourceRequest.Authorize(request, dpop, Support.Replay([1]), Support.Clock(), "t1");
        DpopResourceRequest.Authorize(request, dpop, Support.Replay([2]), Support.Clock(), "t2");
        Assert.Single(request.Headers.GetValues("DPoP"));
        Assert.Equal(new AuthenticationHeaderValue("DPoP", "t2"), request.Headers.Authorization);
        Assert.Equal("DELETE", Jws.Read(request.Headers.GetValues("DPoP").Single()).Payload.GetProperty("htm").GetString());
        using var relative = new HttpRequestMessage(HttpMethod.Get, "/x");
        Assert.Throws<ArgumentException>(() => DpopResourceRequest.Authorize(relative, dpop, Support.Replay([1]), Support.Clock(), "t"));
        Assert.Throws<ArgumentNullException>(() => DpopResourceRequest.Authorize(null!, dpop, Support.Replay([1]), Support.Clock(), "t"));
        Assert.Throws<ArgumentNullException>(() => DpopResourceRequest.Authorize(request, null!, Support.Replay([1]), Support.Clock(), "t"));
    }

    [Fact]
    public void ACopyKeepsMethodVersionContentHeadersAndOptions()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "https://api.example/a") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact, Content = new StringContent("c") };
        request.Headers.TryAddWithoutValidation("X-One", "1");
        request.Options.Set(new HttpRequestOptionsKey<string>("k"), "v");
        using var copy = DpopResourceRequest.Copy(request, new Uri("https://api.example/b"));
        Assert.Equal(HttpMethod.Put, copy.Method);
        Assert.Equal(new Uri("https://api.example/b"), copy.RequestUri);
        Assert.Equal(HttpVersion.Version20, copy.Version);
        Assert.Equal(HttpVersionPolicy.RequestVersionExact, copy.VersionPolicy);
        Assert.Same(request.Content, copy.Content);
        Assert.Equal("1", copy.Headers.GetValues("X-One").Single());
        Assert.True(copy.Options.TryGetValue(new HttpRequestOptionsKey<string>("k"), out var v) && v == "v");
        Assert.Throws<ArgumentNullException>(() => DpopResourceRequest.Copy(null!, new Uri("https://x.example")));
        Assert.Throws<ArgumentNullException>(() => DpopResourceRequest.Copy(request, null!));
    }

    [Fact]
    public void AsksForNonceNeedsTheRequestTheNonceAndTheChallenge()
    {
        var dpop = Binding();
        using var ok = Unauthorized("r-1");
        ok.RequestMessage = new HttpRequestMessage(HttpMethod.Get, "https://api.example/x");
        Assert.True(DpopResourceRequest.AsksForNonce(ok, dpop));
        using var noRequest = Unauthorized("r-1");
        Assert.False(DpopResourceRequest.AsksForNonce(noRequest, dpop));
        using var noNonce = new HttpResponseMessage(HttpStatusCode.Unauthorized) { RequestMessage = new HttpRequestMessage(HttpMethod.Get, "https://api.example/x") };
        noNonce.Headers.TryAddWithoutValidation("WWW-Authenticate", "DPoP error=\"use_dpop_nonce\"");
        Assert.False(DpopResourceRequest.AsksForNonce(noNonce, dpop));
        Assert.Throws<ArgumentNullException>(() => DpopResourceRequest.AsksForNonce(null!, dpop));
        Assert.Throws<ArgumentNullException>(() => DpopResourceRequest.AsksForNonce(ok, null!));
    }

    private static HttpResponseMessage Unauthorized(string nonce)
    {
        var r = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        r.Headers.TryAddWithoutValidation("DPoP-Nonce", nonce);
        r.Headers.TryAddWithoutValidation("WWW-Authenticate", "DPoP error=\"use_dpop_nonce\", algs=\"ES256\"");
        return r;
    }
}
