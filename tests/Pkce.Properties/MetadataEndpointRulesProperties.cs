using System.Net;
using System.Text;
using Pkce.Http;

namespace Pkce.Properties;

/// <summary>
/// What a metadata document's endpoints may be (RFC 8414 §2, §3.2): required ones present, https for an https issuer,
/// http only on loopback otherwise, no user information; the optional members read into the metadata; and how long
/// the cache keeps a document and lets a caller wait for one.
/// </summary>
public class MetadataEndpointRulesProperties
{
    private const string Issuer = "https://as.example/tenant";

    private static Either<PkceError, ServerMetadata> Parse(string body, string issuer = Issuer) =>
        MetadataParser.Parse(new HttpAnswer(MetadataParser.EndpointName, 200, Some("application/json"), Encoding.UTF8.GetBytes(body)), issuer);

    private static string Document(string issuer = Issuer, string authorize = "https://as.example/a", string token = "https://as.example/t", string extra = "") =>
        $$"""{"issuer":"{{issuer}}","authorization_endpoint":"{{authorize}}","token_endpoint":"{{token}}"{{extra}}}""";

    private static string Reason(Either<PkceError, ServerMetadata> parsed) => Assert.IsType<PkceError.InvalidMetadata>(Support.Left(parsed)).Reason;

    [Theory]
    [InlineData("authorization_endpoint")]
    [InlineData("token_endpoint")]
    public void ARequiredEndpointThatIsAbsentIsNamedMissing(string name)
    {
        var body = name == "token_endpoint"
            ? $$"""{"issuer":"{{Issuer}}","authorization_endpoint":"https://as.example/a"}"""
            : $$"""{"issuer":"{{Issuer}}","token_endpoint":"https://as.example/t"}""";
        Assert.Equal($"'{name}' is missing", Reason(Parse(body)));
    }

    [Fact]
    public void ADocumentWithoutIssuerOrWithAnotherOneIsRefusedWithItsReason()
    {
        Assert.Equal("'issuer' is missing", Reason(Parse("""{"authorization_endpoint":"https://as.example/a"}""")));
        Assert.Equal("its issuer 'https://other.example' is not the issuer asked for (RFC 8414 §3.3)", Reason(Parse(Document("https://other.example"))));
    }

    [Fact]
    public void AnHttpsIssuersEndpointsAreHttpsEvenOnLoopback() =>
        Assert.Equal("'token_endpoint' uses http for an https issuer", Reason(Parse(Document(token: "http://127.0.0.1:9000/t"))));

    [Fact]
    public void ALoopbackHttpIssuerMayHaveLoopbackHttpEndpointsOnly()
    {
        const string local = "http://127.0.0.1:9000";
        var metadata = Support.Right(Parse(Document(local, "http://127.0.0.1:9000/a", "http://127.0.0.1:9000/t"), local));
        Assert.Equal(new Uri("http://127.0.0.1:9000/t"), metadata.TokenEndpoint);
        Assert.Equal("'authorization_endpoint' uses http on a non-loopback host", Reason(Parse(Document(local, "http://as.example/a", "http://127.0.0.1:9000/t"), local)));
    }

    [Fact]
    public void AnEndpointCarryingUserInformationIsRefused() =>
        Assert.Equal("'token_endpoint' carries user information", Reason(Parse(Document(token: "https://u:p@as.example/t"))));

    [Fact]
    public void AListHoldingANonStringIsRefused() =>
        Assert.Equal("'code_challenge_methods_supported' holds a value that is not a string",
            Reason(Parse(Document(extra: ""","code_challenge_methods_supported":["S256",1]"""))));

    [Fact]
    public void IntrospectionEndpointAndDpopAlgorithmsAreRead()
    {
        var metadata = Support.Right(Parse(Document(extra: ""","introspection_endpoint":"https://as.example/i","dpop_signing_alg_values_supported":["ES256","PS256"]""")));
        Assert.Equal(Some(new Uri("https://as.example/i")), metadata.IntrospectionEndpoint);
        Assert.Equal(Some(Seq("ES256", "PS256")), metadata.DpopSigningAlgorithms);
        Assert.Equal("'introspection_endpoint' is not an absolute http(s) URL without a fragment",
            Reason(Parse(Document(extra: ""","introspection_endpoint":"/i" """))));
    }

    [Fact]
    public void TheCacheRefetchesADocumentLongPastItsLifetime()
    {
        var clock = Support.Clock();
        var server = new FakeServer(_ => FakeServer.Json(Document()));
        var cache = new MetadataCache(server.Port(), clock, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(5));
        Support.Right(Support.Run(cache.Get(Issuer, CancellationToken.None)));
        clock.Advance(TimeSpan.FromMinutes(25));
        Support.Right(Support.Run(cache.Get(Issuer, CancellationToken.None)));
        Assert.Equal(2, cache.Fetches);
    }

    [Fact]
    public void TheCacheNamesTheIssuerOfANullArgument()
    {
        var cache = new MetadataCache(new FakeServer(_ => FakeServer.Json("{}")).Port(), TimeProvider.System, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1));
        Assert.Equal("issuer", Assert.Throws<ArgumentNullException>(() => cache.Get(null!, CancellationToken.None)).ParamName);
    }

    /// <summary>A server that answers once the test opens it.</summary>
    private sealed class Gated(string document) : HttpMessageHandler
    {
        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Requests;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Requests);
            await Open.Task;
            return FakeServer.Json(document);
        }
    }

    [Fact]
    public async Task ACallerCancelledWhileAFetchIsInFlightStopsWaitingAndTheFetchGoesOn()
    {
        var server = new Gated(Document());
        var cache = new MetadataCache(new HttpPort(new HttpClient(new PinnedTransport(server))), Support.Clock(), TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(60));
        var first = cache.Get(Issuer, CancellationToken.None).ToEither();
        Assert.Equal(1, server.Requests);
        // Only so that a broken build fails instead of hanging: a caller that waited for the fetch gets its answer.
        _ = Task.Delay(TimeSpan.FromSeconds(10)).ContinueWith(_ => server.Open.TrySetResult(), TaskScheduler.Default);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.Get(Issuer, cancelled.Token).ToEither());
        server.Open.TrySetResult();
        Support.Right(await first);
        Assert.Equal(1, cache.Fetches);
    }
}
