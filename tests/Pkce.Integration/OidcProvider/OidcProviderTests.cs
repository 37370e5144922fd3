using System.Text.Json;
using Pkce.Http;

namespace Pkce.Integration.OidcProvider;

/// <summary>
/// The library's public API against a second real authorization server that nobody here wrote: oidc-provider
/// 9.13.3, with its own login and consent pages, its own PKCE and RFC 9207 code, and its own client authentication.
/// </summary>
[Collection(OidcProviderCollection.Name)]
public sealed class OidcProviderTests(OidcProviderFixture fixture)
{
    private static readonly UserKey Alice = UserKey.From("alice").IfLeft(_ => throw new InvalidOperationException());

    /// <summary>Each client; one of them uses the second registered redirect URI.</summary>
    public static TheoryData<string, bool> Clients => new()
    {
        { "public", false },
        { "basic", false },
        { "post", true },
    };

    private static ProviderClient Client(string kind) => kind switch
    {
        "public" => OidcProviderFixture.Public,
        "basic" => OidcProviderFixture.Basic,
        _ => OidcProviderFixture.Post,
    };

    private PkceConfig ConfigFor(ProviderClient client, bool secondRedirectUri = false) =>
        Expect.Value(Config.Validate(fixture.Settings(client, secondRedirectUri ? fixture.ListeningRedirectUri : OidcProviderFixture.FixedRedirectUri)));

    /// <summary>Starts a flow with the library and signs in at the provider; returns the store and the callback URL.</summary>
    private async Task<(InMemoryPendingStore Store, string Callback)> AuthorizedAsync(PkceConfig config, string login = "alice")
    {
        var store = new InMemoryPendingStore();
        var started = await Expect.Right(Flow.Start(config, fixture.Deps, store.Save, Alice, Seq<QueryParameter>(), default));
        return (store, await fixture.SignInAsync(started.AuthorizationUrl, login));
    }

    /// <summary>A callback taken and verified by the library, with its pending authorization altered before verification.</summary>
    private async Task<VerifiedCallback> VerifiedAsync(PkceConfig config, Func<PendingAuthorization, PendingAuthorization> alter)
    {
        var (store, callback) = await AuthorizedAsync(config);
        var response = Expect.Value(Callback.Parse(callback));
        var pending = await Expect.Right(store.Take(response.State, default));
        return Expect.Value(Callback.Verify(response, alter(pending), Alice, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Discovery_announces_iss_in_authorization_responses_and_S256_only()
    {
        Assert.True(fixture.Metadata.IssParameterSupported);
        Assert.Equal(new[] { "S256" }, fixture.Metadata.CodeChallengeMethods);
        Assert.Equal(fixture.Issuer, new Uri(fixture.Metadata.Issuer));
    }

    [Theory]
    [MemberData(nameof(Clients))]
    public async Task Core_pipeline_obtains_a_token_that_the_provider_calls_active(string kind, bool secondRedirectUri)
    {
        var client = Client(kind);
        var config = ConfigFor(client, secondRedirectUri);
        var (store, callback) = await AuthorizedAsync(config, login: $"user-{kind}");
        Assert.Equal(fixture.Metadata.Issuer, QueryString.Parse(new Uri(callback).Query.TrimStart('?')).Single(p => p.Name == "iss").Value);

        var token = await Expect.Right(Flow.Complete(config, fixture.Deps, store.Take, Alice, callback, default));

        Assert.Equal("Bearer", token.TokenType);
        Assert.Equal(Some(TimeSpan.FromHours(1)), token.ExpiresIn);
        Assert.True(token.RefreshToken.IsSome);
        Assert.Equal(0, store.PendingCount);
        var introspection = await fixture.IntrospectAsync(token.AccessToken);
        Assert.True(introspection.GetProperty("active").GetBoolean(), introspection.ToString());
        Assert.Equal(client.ClientId, introspection.GetProperty("client_id").GetString());
        Assert.Equal($"user-{kind}", introspection.GetProperty("sub").GetString());
        Assert.Equal("api", introspection.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task A_callback_from_another_issuer_is_refused_before_the_token_request()
    {
        var config = Expect.Value(Config.Validate(fixture.Settings(OidcProviderFixture.Public) with { ExpectedIssuer = fixture.Metadata.Issuer + "/other" }));
        var (store, callback) = await AuthorizedAsync(config);
        var error = Assert.IsType<PkceError.IssuerMismatch>(await Expect.Left(Flow.Complete(config, fixture.Deps, store.Take, Alice, callback, default)));
        Assert.Equal(fixture.Metadata.Issuer, error.Actual);
    }

    [Theory]
    [InlineData("public")]
    [InlineData("basic")]
    public async Task Wrong_verifier_maps_to_invalid_grant(string kind)
    {
        var config = ConfigFor(Client(kind));
        var verified = await VerifiedAsync(config, p => p with { Verifier = Secrets.Generate().Verifier });
        var error = Assert.IsType<PkceError.EndpointError>(await Expect.Left(Token.Exchange(config, fixture.Http, verified, default)));
        Assert.Equal((400, "invalid_grant"), (error.Status, error.Error));
    }

    [Fact]
    public async Task Replayed_code_maps_to_invalid_grant_and_the_provider_revokes_the_first_token()
    {
        var config = ConfigFor(OidcProviderFixture.Post);
        var verified = await VerifiedAsync(config, p => p);
        var first = await Expect.Right(Token.Exchange(config, fixture.Http, verified, default));

        var error = Assert.IsType<PkceError.EndpointError>(await Expect.Left(Token.Exchange(config, fixture.Http, verified, default)));

        Assert.Equal((400, "invalid_grant"), (error.Status, error.Error));
        // RFC 6749 §4.1.2: the server SHOULD revoke the tokens issued on a code that is used twice; this one does.
        Assert.False((await fixture.IntrospectAsync(first.AccessToken)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Forged_state_sends_no_token_request_and_leaves_the_code_redeemable()
    {
        var config = ConfigFor(OidcProviderFixture.Basic);
        var (store, callback) = await AuthorizedAsync(config);
        var state = QueryString.Parse(new Uri(callback).Query.TrimStart('?')).Single(p => p.Name == "state").Value;
        var forged = callback.Replace($"state={state}", $"state={Secrets.Generate().State.Value}", StringComparison.Ordinal);
        var counter = new ConnectionCounter();
        using var counted = HttpPort.Of(counter.Handler);

        var error = await Expect.Left(Flow.Complete(config, fixture.Deps with { Http = counted }, store.Take, Alice, forged, default));

        Assert.IsType<PkceError.StateUnknown>(error);
        Assert.Equal(0, counter.Requests);
        // The provider did not see the code either: the real callback still redeems it.
        var token = await Expect.Right(Flow.Complete(config, fixture.Deps with { Http = counted }, store.Take, Alice, callback, default));
        Assert.Equal(1, counter.Requests);
        Assert.True((await fixture.IntrospectAsync(token.AccessToken)).GetProperty("active").GetBoolean());
    }

    /// <summary>
    /// Counts the connections a fresh socket handler opens: a new port has none pooled, so no connection means no
    /// request left, and each request here is the first on its own connection.
    /// </summary>
    private sealed class ConnectionCounter
    {
        private int _requests;

        public ConnectionCounter() => Handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = async (context, cancellationToken) =>
            {
                Interlocked.Increment(ref _requests);
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        };

        public SocketsHttpHandler Handler { get; }

        public int Requests => Volatile.Read(ref _requests);
    }
}
