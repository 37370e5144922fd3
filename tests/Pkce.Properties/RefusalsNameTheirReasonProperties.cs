using System.Net;
using System.Security.Cryptography;
using System.Text;
using Pkce.Http;

namespace Pkce.Properties;

/// <summary>
/// Known answers for what a user reads when the wire layer refuses something: each refusal's kind and reason, word
/// for word (a changed reason is a visible change), and the few values a refusal depends on (the empty secret, the
/// 300 status that keeps an excerpt, a media type that only ends in +json after a semicolon).
/// </summary>
public class RefusalsNameTheirReasonProperties
{
    private static HttpAnswer Answer(int status, string body, string? contentType = "application/json") =>
        new("test endpoint", status, Optional(contentType), Encoding.UTF8.GetBytes(body));

    private static Either<PkceError, string> ReadOk(HttpAnswer answer) => JsonAnswer.Read(answer, (_, text) => Right<PkceError, string>(text));

    [Theory]
    [InlineData("ftp://as.example", "'ftp://as.example' is not an https URL without query or fragment (RFC 8414 §2)")]
    [InlineData("http://as.example/t", "'http://as.example/t' uses http on a non-loopback host")]
    public void ABadIssuerIsRefusedAsAnInvalidIssuerWithItsReason(string issuer, string reason) =>
        Assert.Equal(new PkceError.InvalidValue("issuer", reason), Support.Left(Discovery.Locations(issuer)));

    [Fact]
    public void AnUnknownDpopAlgorithmIsRefusedByName()
    {
        var expected = new PkceError.InvalidValue("DPoP algorithm", "'HS256' is not ES256, RS256 or PS256");
        Assert.Equal(expected, Support.Left(DpopKey.Generate("HS256")));
        Assert.Equal(expected, Support.Left(DpopKey.Import("HS256", new byte[] { 1, 2, 3 })));
    }

    [Fact]
    public void AnImportedKeyThatCannotBeUsedIsRefusedWithItsReason()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var rsa1024 = RSA.Create(1024);
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Equal(new PkceError.InvalidValue("DPoP key", "the key is not on P-256"), Support.Left(DpopKey.Import("ES256", p384.ExportPkcs8PrivateKey())));
        Assert.Equal(new PkceError.InvalidValue("DPoP key", "an RSA key of 1024 bits is too short"), Support.Left(DpopKey.Import("RS256", rsa1024.ExportPkcs8PrivateKey())));
        Assert.Equal(new PkceError.InvalidValue("DPoP key", "the stored key has bytes after its end"), Support.Left(DpopKey.Import("ES256", [.. p256.ExportPkcs8PrivateKey(), 0])));
        Assert.Equal(new PkceError.InvalidValue("DPoP key", "the stored key is not a PKCS#8 PS256 private key"), Support.Left(DpopKey.Import("PS256", new byte[] { 1, 2, 3 })));
    }

    [Fact]
    public void AKeyThatIsNeitherEcNorRsaIsAProgrammerError()
    {
        using var dh = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        Assert.Equal("DpopKey holds an EC or RSA key", Assert.Throws<InvalidOperationException>(() => DpopKey.From("ES256", dh)).Message);
    }

    [Fact]
    public void PushingWithoutAnEndpointIsAConfigurationError()
    {
        var config = Support.Config();
        var pending = Support.Pending(config, Support.User("u"), DateTimeOffset.UnixEpoch);
        Assert.Equal(new PkceError.InvalidValue("configuration", "no pushed authorization request endpoint is set"),
            Support.Left(PushedAuthorizationRequest.Build(config, pending, Seq<QueryParameter>())));
    }

    [Fact]
    public void AnEmptyAccessTokenIsCalledEmptyAndAnAbsentOneMissing()
    {
        Assert.Equal("'access_token' is empty", Assert.IsType<PkceError.UnexpectedResponse>(Support.Left(TokenResponseParser.Parse(Answer(200, """{"access_token":"","token_type":"Bearer"}""")))).Reason);
        Assert.Equal("'access_token' is missing", Assert.IsType<PkceError.UnexpectedResponse>(Support.Left(TokenResponseParser.Parse(Answer(200, """{"token_type":"Bearer"}""")))).Reason);
    }

    [Fact]
    public void ALoneSurrogateInAMemberReadAloneIsNamedAsSuch()
    {
        using var document = System.Text.Json.JsonDocument.Parse("""{"a":"\ud800","b":"ok"}""");
        Assert.False(JsonAnswer.TryString(document.RootElement, "a", out var value, out var problem));
        Assert.Null(value);
        Assert.Equal("'a' is not valid Unicode (a lone surrogate escape)", problem);
        Assert.True(JsonAnswer.TryString(document.RootElement, "b", out value, out problem));
        Assert.Equal(("ok", (string?)null), (value, problem));
    }

    [Fact]
    public void ALoneSurrogateNumberStringIsNotANumber()
    {
        using var document = System.Text.Json.JsonDocument.Parse("""{"n":"\ud800"}""");
        Assert.Equal(Left<string, Option<TimeSpan>>("'n' is not a number"), JsonAnswer.Seconds(document.RootElement, "n", TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData(";x+json")]
    [InlineData(";application/json")]
    public void AMediaTypeIsWhatComesBeforeTheFirstSemicolon(string contentType) =>
        Assert.Equal($"content type '{contentType}' is not JSON",
            Assert.IsType<PkceError.UnexpectedResponse>(Support.Left(ReadOk(Answer(200, "{}", contentType)))).Reason);

    [Fact]
    public void A300AnswerKeepsAnExcerptAsEveryNon2xxDoes()
    {
        Assert.Equal(Some("<html>"), Assert.IsType<PkceError.UnexpectedResponse>(Support.Left(ReadOk(Answer(300, "<html>", "text/html")))).BodyExcerpt);
        Assert.Equal(Some("<html>"), Assert.IsType<PkceError.UnexpectedResponse>(Support.Left(ReadOk(Answer(199, "<html>", "text/html")))).BodyExcerpt);
        Assert.True(Assert.IsType<PkceError.UnexpectedResponse>(Support.Left(ReadOk(Answer(299, "<html>", "text/html")))).BodyExcerpt.IsNone);
    }

    [Fact]
    public void AClientWithoutASecretSendsAnEmptyOne()
    {
        // Config.Validate never pairs secret authentication with no secret; a ClientConfig built by hand may.
        var endpoint = new Uri("https://as.example/token");
        var post = new ClientConfig("c", None, ClientAuthentication.ClientSecretPost, new Uri("http://127.0.0.1/cb"), None);
        Assert.Equal(Seq(new QueryParameter("client_id", "c"), new QueryParameter("client_secret", "")),
            Support.Right(ClientCredentials.Post(post, "token endpoint", endpoint, Seq<QueryParameter>())).Form);
        var basic = post with { Authentication = ClientAuthentication.ClientSecretBasic };
        Assert.Equal(Some("Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes("c:"))),
            Support.Right(ClientCredentials.Post(basic, "token endpoint", endpoint, Seq<QueryParameter>())).Authorization);
    }

    [Fact]
    public void ATokenResponsePrintsItsExtraMemberNamesCommaSeparated()
    {
        var token = Support.Right(TokenResponseParser.Parse(Answer(200, """{"access_token":"a","token_type":"Bearer","x":1,"y":2}""")));
        var printed = token.ToString();
        Assert.True(printed.Contains("Extra = [x, y]") || printed.Contains("Extra = [y, x]"), printed);
    }

    [Fact]
    public void ParseJsonGivesTheWholeResponseObject()
    {
        var token = Support.Right(TokenResponseParser.Parse(Answer(200, """{"access_token":"a","token_type":"Bearer","x":[1]}""")));
        var json = token.ParseJson();
        Assert.Equal("a", json.GetProperty("access_token").GetString());
        Assert.Equal(1, json.GetProperty("x")[0].GetInt32());
    }

    [Fact]
    public void APortOfAUsedSocketSaysToGiveAFreshOne()
    {
        using var used = new SocketsHttpHandler { ConnectCallback = (_, _) => throw new IOException("no socket in this test") };
        using (var invoker = new HttpMessageInvoker(used, disposeHandler: false))
            Assert.ThrowsAny<Exception>(() => invoker.Send(new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:1/"), CancellationToken.None));
        var error = Assert.Throws<ArgumentException>(() => HttpPort.Of(used));
        Assert.StartsWith("the socket handler has already sent requests; give the port a fresh one", error.Message);
        Assert.Equal("socket", error.ParamName);
    }

    [Fact]
    public void APortOwnsItsSocketAndReleasesItWithItself()
    {
        var socket = new SocketsHttpHandler();
        HttpPort.Of(socket).Dispose();
        Assert.Throws<ObjectDisposedException>(() => socket.AllowAutoRedirect = true);
    }

    [Fact]
    public async Task APostOfNothingIsAnArgumentError()
    {
        using var port = new FakeServer(_ => FakeServer.Json("{}")).Port();
        Assert.Equal("post", (await Assert.ThrowsAsync<ArgumentNullException>(() => port.Post(null!, TimeSpan.FromSeconds(1), CancellationToken.None))).ParamName);
    }

    [Fact]
    public void TheDpopHandlerSaysWhyItRefusesARedirectingHandlerAndARequestWithoutUri()
    {
        var dpop = new DpopBinding(Support.Right(DpopKey.Generate()));
        using var client = new HttpMessageInvoker(new DpopHandler(dpop, _ => Task.FromResult("t")) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = true } });
        var refused = Assert.Throws<InvalidOperationException>(() => client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://api.example/"), CancellationToken.None).GetAwaiter().GetResult());
        Assert.Equal("the handler under DpopHandler follows redirects, which would carry the DPoP proof and token elsewhere; set AllowAutoRedirect = false", refused.Message);
        using var plain = new HttpMessageInvoker(new DpopHandler(dpop, _ => Task.FromResult("t")) { InnerHandler = new FakeServer(_ => new HttpResponseMessage(HttpStatusCode.OK)) });
        var noUri = Assert.Throws<ArgumentException>(() => plain.SendAsync(new HttpRequestMessage(), CancellationToken.None).GetAwaiter().GetResult());
        Assert.StartsWith("the request has no URI", noUri.Message);
        Assert.Equal("request", noUri.ParamName);
        using var relative = new HttpRequestMessage(HttpMethod.Get, "/x");
        var notAbsolute = Assert.Throws<ArgumentException>(() => DpopResourceRequest.Authorize(relative, dpop, Support.Replay([1]), Support.Clock(), "t"));
        Assert.StartsWith("the request needs an absolute URI", notAbsolute.Message);
        Assert.Equal("request", notAbsolute.ParamName);
    }
}
