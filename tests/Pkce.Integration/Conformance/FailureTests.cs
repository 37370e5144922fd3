using Microsoft.Extensions.Time.Testing;
using Pkce.Facade;
using Pkce.Http;
using Pkce.LocalAuthority;

namespace Pkce.Integration.Conformance;

/// <summary>Every way the flow can go wrong against a real server, each mapped to its typed error.</summary>
[Collection(AuthorityCollection.Name)]
public sealed class FailureTests(AuthorityFixture fixture) : IDisposable
{
    private static readonly UserKey Alice = UserKey.From("alice").IfLeft(_ => throw new InvalidOperationException());
    private static readonly UserKey Mallory = UserKey.From("mallory").IfLeft(_ => throw new InvalidOperationException());

    private LocalAuthority.LocalAuthority Authority => fixture.Authority;

    public void Dispose()
    {
        Authority.DenyAuthorizations = false;
        Authority.TokenDelay = TimeSpan.Zero;
        Authority.TokenEndpointFails = false;
    }

    private PkceConfig ConfigFor(string kind, Func<PkceSettings, PkceSettings>? change = null) =>
        Expect.Value(Config.Validate((change ?? (s => s))(fixture.Settings(fixture.Client(kind)))));

    /// <summary>Starts a flow, lets the server redirect, and returns the store, the callback and its parse.</summary>
    private async Task<(InMemoryPendingStore Store, string Callback)> AuthorizedAsync(PkceConfig config, TimeProvider? clock = null)
    {
        var store = new InMemoryPendingStore(clock ?? TimeProvider.System);
        var started = await Expect.Right(Flow.Start(config, fixture.Deps with { Clock = clock ?? TimeProvider.System }, store.Save, Alice, default));
        return (store, await fixture.FollowAsync(started.AuthorizationUrl));
    }

    /// <summary>A verified callback whose pending authorization the test may alter before the exchange.</summary>
    private async Task<VerifiedCallback> VerifiedAsync(PkceConfig config, Func<PendingAuthorization, PendingAuthorization> alter)
    {
        var (store, callback) = await AuthorizedAsync(config);
        var response = Expect.Value(Callback.Parse(callback));
        var pending = await Expect.Right(store.Take(response.State, default));
        return Expect.Value(Callback.Verify(response, alter(pending), Alice, DateTimeOffset.UtcNow));
    }

    private async Task<PkceError> NoTokenRequest(Func<Task<PkceError>> act)
    {
        var before = Authority.TokenRequests;
        var error = await act();
        Assert.Equal(before, Authority.TokenRequests);
        return error;
    }

    [Theory]
    [InlineData("public")]
    [InlineData("basic")]
    public async Task Wrong_verifier_maps_to_invalid_grant(string kind)
    {
        var config = ConfigFor(kind);
        var verified = await VerifiedAsync(config, p => p with { Verifier = Secrets.Generate().Verifier });
        var error = Assert.IsType<PkceError.EndpointError>(await Expect.Left(Token.Exchange(config, fixture.Http, verified, default)));
        Assert.Equal((400, "invalid_grant"), (error.Status, error.Error));
    }

    [Fact]
    public async Task Missing_verifier_maps_to_invalid_request()
    {
        var config = ConfigFor("public");
        var verified = await VerifiedAsync(config, p => p);
        var request = Expect.Value(TokenRequest.Build(config, verified));
        var withoutVerifier = request with { Form = request.Form.Filter(p => p.Name != WireNames.CodeVerifier) };
        var answer = Expect.Right(await fixture.Http.Post(withoutVerifier, config.Timeout, default));
        var error = Assert.IsType<PkceError.EndpointError>(Expect.Left(TokenResponseParser.Parse(answer)));
        Assert.Equal("invalid_request", error.Error);
    }

    [Fact]
    public async Task Reused_code_maps_to_invalid_grant()
    {
        var config = ConfigFor("post");
        var verified = await VerifiedAsync(config, p => p);
        await Expect.Right(Token.Exchange(config, fixture.Http, verified, default));
        var error = Assert.IsType<PkceError.EndpointError>(await Expect.Left(Token.Exchange(config, fixture.Http, verified, default)));
        Assert.Equal("invalid_grant", error.Error);
    }

    [Fact]
    public async Task Redirect_uri_changed_between_requests_maps_to_invalid_grant()
    {
        var config = ConfigFor("public");
        var verified = await VerifiedAsync(config, p => p with { RedirectUri = new Uri("http://127.0.0.1:8000/other") });
        var error = Assert.IsType<PkceError.EndpointError>(await Expect.Left(Token.Exchange(config, fixture.Http, verified, default)));
        Assert.Equal("invalid_grant", error.Error);
    }

    [Fact]
    public async Task Unknown_client_maps_to_invalid_client()
    {
        var verified = await VerifiedAsync(ConfigFor("public"), p => p);
        var stranger = ConfigFor("public", s => s with { ClientId = "nobody" });
        var error = Assert.IsType<PkceError.EndpointError>(await Expect.Left(Token.Exchange(stranger, fixture.Http, verified, default)));
        Assert.Equal("invalid_client", error.Error);
    }

    [Theory]
    [InlineData("basic")]
    [InlineData("post")]
    public async Task Wrong_secret_maps_to_invalid_client(string kind)
    {
        var verified = await VerifiedAsync(ConfigFor(kind), p => p);
        var wrong = ConfigFor(kind, s => s with { ClientSecret = "not-the-secret" });
        var error = Assert.IsType<PkceError.EndpointError>(await Expect.Left(Token.Exchange(wrong, fixture.Http, verified, default)));
        Assert.Equal("invalid_client", error.Error);
    }

    [Fact]
    public async Task Forged_state_is_refused_and_no_token_request_reaches_the_server()
    {
        var config = ConfigFor("public");
        var (store, callback) = await AuthorizedAsync(config);
        var forged = callback.Replace("state=", "state=x");
        var error = await NoTokenRequest(() => Expect.Left(Flow.Complete(config, fixture.Deps, store.Take, Alice, forged, default)));
        Assert.IsType<PkceError.StateUnknown>(error);
    }

    [Fact]
    public async Task Replayed_callback_is_refused_and_no_second_token_request_reaches_the_server()
    {
        var config = ConfigFor("public");
        var (store, callback) = await AuthorizedAsync(config);
        await Expect.Right(Flow.Complete(config, fixture.Deps, store.Take, Alice, callback, default));
        var error = await NoTokenRequest(() => Expect.Left(Flow.Complete(config, fixture.Deps, store.Take, Alice, callback, default)));
        Assert.IsType<PkceError.StateReplayed>(error);
    }

    [Fact]
    public async Task Expired_state_is_refused_and_no_token_request_reaches_the_server()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var config = ConfigFor("public");
        var (store, callback) = await AuthorizedAsync(config, clock);
        clock.Advance(config.PendingLifetime + TimeSpan.FromSeconds(1));
        var error = await NoTokenRequest(() => Expect.Left(Flow.Complete(config, fixture.Deps with { Clock = clock }, store.Take, Alice, callback, default)));
        Assert.IsType<PkceError.StateExpired>(error);
    }

    [Fact]
    public async Task Another_users_state_is_refused_and_no_token_request_reaches_the_server()
    {
        var config = ConfigFor("public");
        var (store, callback) = await AuthorizedAsync(config);
        var error = await NoTokenRequest(() => Expect.Left(Flow.Complete(config, fixture.Deps, store.Take, Mallory, callback, default)));
        Assert.IsType<PkceError.WrongUser>(error);
    }

    [Fact]
    public async Task Access_denied_at_the_authorization_endpoint_maps_to_authorization_denied()
    {
        Authority.DenyAuthorizations = true;
        var config = ConfigFor("public");
        var (store, callback) = await AuthorizedAsync(config);
        var error = await NoTokenRequest(() => Expect.Left(Flow.Complete(config, fixture.Deps, store.Take, Alice, callback, default)));
        var denied = Assert.IsType<PkceError.AuthorizationDenied>(error);
        Assert.Equal(("access_denied", "The test user declined."), (denied.Error, denied.ErrorDescription.IfNone("")));
    }

    [Fact]
    public async Task Issuer_mismatch_is_refused_and_no_token_request_reaches_the_server()
    {
        var config = ConfigFor("public", s => s with { ExpectedIssuer = "http://127.0.0.1:1/" });
        var (store, callback) = await AuthorizedAsync(config);
        var error = await NoTokenRequest(() => Expect.Left(Flow.Complete(config, fixture.Deps, store.Take, Alice, callback, default)));
        var mismatch = Assert.IsType<PkceError.IssuerMismatch>(error);
        Assert.Equal(Authority.Issuer.AbsoluteUri, mismatch.Actual);
    }

    [Fact]
    public async Task Stopped_server_maps_to_transport_failure()
    {
        var other = await LocalAuthority.LocalAuthority.StartAsync();
        var config = Expect.Value(Config.Validate(AuthorityFixture.SettingsFor(other, other.Public)));
        var store = new InMemoryPendingStore();
        var started = await Expect.Right(Flow.Start(config, fixture.Deps, store.Save, Alice, default));
        var callback = await fixture.Browser.GetAsync(started.AuthorizationUrl);
        await other.DisposeAsync();
        var error = await Expect.Left(Flow.Complete(config, fixture.Deps, store.Take, Alice, callback.Headers.Location!.OriginalString, default));
        Assert.IsType<PkceError.TransportFailure>(error);
    }

    [Fact]
    public async Task Slow_server_beyond_the_timeout_maps_to_timeout_after_one_request()
    {
        Authority.TokenDelay = TimeSpan.FromSeconds(3);
        var config = ConfigFor("public", s => s with { Timeout = TimeSpan.FromMilliseconds(400) });
        var (store, callback) = await AuthorizedAsync(config);
        var before = Authority.TokenRequests;
        var error = await Expect.Left(Flow.Complete(config, fixture.Deps, store.Take, Alice, callback, default));
        Assert.IsType<PkceError.Timeout>(error);
        Assert.Equal(before + 1, Authority.TokenRequests);
    }

    [Fact]
    public async Task Html_500_maps_to_unexpected_response()
    {
        Authority.TokenEndpointFails = true;
        var config = ConfigFor("basic");
        var (store, callback) = await AuthorizedAsync(config);
        var error = Assert.IsType<PkceError.UnexpectedResponse>(await Expect.Left(Flow.Complete(config, fixture.Deps, store.Take, Alice, callback, default)));
        Assert.Equal(500, error.Status);
        Assert.Contains("500 Internal Server Error", error.BodyExcerpt.IfNone(""));
    }

    [Fact]
    public async Task Introspection_tells_a_garbage_token_from_a_real_one() =>
        Assert.False((await Authority.IntrospectAsync("not-a-token")).Active);

    [Fact]
    public async Task Facade_maps_server_failures_to_their_exceptions()
    {
        using var client = new PkceClient(fixture.Settings(Authority.Basic) with { ClientSecret = "wrong" });
        var flow = await client.GetAuthorizationUrlAsync("alice");
        var invalid = await Assert.ThrowsAsync<PkceFlowException>(async () => await client.HandleCallbackAsync("alice", await fixture.FollowAsync(flow)));
        Assert.Equal(("invalid_client", 401), (invalid.OAuthError, invalid.StatusCode));

        using var good = new PkceClient(fixture.Settings(Authority.Public));
        var forged = (await fixture.FollowAsync(await good.GetAuthorizationUrlAsync("alice"))).Replace("state=", "state=x");
        var before = Authority.TokenRequests;
        Assert.Equal("state_unknown", (await Assert.ThrowsAsync<StateForgeryException>(() => good.HandleCallbackAsync("alice", forged))).Code);
        Assert.Equal(before, Authority.TokenRequests);

        Authority.DenyAuthorizations = true;
        var denied = await Assert.ThrowsAsync<AuthorizationDeniedException>(async () =>
            await good.HandleCallbackAsync("alice", await fixture.FollowAsync(await good.GetAuthorizationUrlAsync("alice"))));
        Assert.Equal("access_denied", denied.OAuthError);
    }

    [Fact]
    public async Task Seed_style_manager_refuses_a_forged_state_without_a_token_request()
    {
        using var manager = new HappyPathTests.LocalManager(Authority, Authority.Post);
        var callback = QueryString.Parse(new Uri(await fixture.FollowAsync(await manager.GetAuthorizationUrlAsync("dave"))).Query);
        var before = Authority.TokenRequests;
        string Param(string name) => callback.Single(p => p.Name == name).Value;
        var error = await Assert.ThrowsAsync<StateForgeryException>(() => manager.FetchAccessTokenAsync("dave", "forged", Param("code"), Param("iss")));
        Assert.Equal("state_unknown", error.Code);
        Assert.Equal(before, Authority.TokenRequests);
        // The forged callback did not destroy the real flow: the genuine callback still redeems once.
        await manager.FetchAccessTokenAsync("dave", Param("state"), Param("code"), Param("iss"));
        Assert.Equal(before + 1, Authority.TokenRequests);
    }
}
