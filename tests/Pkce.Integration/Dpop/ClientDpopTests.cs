using System.Net;
using System.Net.Http.Headers;
using Pkce.Facade;
using Pkce.Http;
using Pkce.Integration.Conformance;
using Pkce.LocalAuthority;
using static LanguageExt.Prelude;

namespace Pkce.Integration.Dpop;

/// <summary>
/// The library's own DPoP (not the test proofs) from authorization to API call, against the local authority with
/// proofs and nonces required at the token endpoint and at its DPoP API.
/// </summary>
public sealed class ClientDpopTests : IAsyncLifetime
{
    private static readonly UserKey Alice = UserKey.From("alice").IfLeft(_ => throw new InvalidOperationException());
    private LocalAuthority.LocalAuthority _authority = null!;
    private readonly HttpPort _http = HttpPort.Create();

    public async Task InitializeAsync() => _authority = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions
    {
        RedirectUris = [AuthorityFixture.RedirectUri],
        RequireDpop = true,
        RequireDpopNonce = true,
        RequireDpopNonceAtApi = true,
    });

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _authority.DisposeAsync();
    }

    private Dependencies Deps(DpopKey key) => Dependencies.System(_http) with { Dpop = new DpopBinding(key) };

    private static DpopKey NewKey(string algorithm = "ES256") => DpopKey.Generate(algorithm).IfLeft(e => throw new InvalidOperationException(e.Message));

    private async Task<TokenResponse> SignInAsync(PkceConfig config, Dependencies deps)
    {
        var pending = new InMemoryPendingStore();
        var started = await Expect.Right(Flow.Start(config, deps, pending.Ports.Save, Alice, default));
        // A pushed request carries dpop_jkt in its body; a plain one in the URL.
        if (!started.AuthorizationUrl.Contains("request_uri=", StringComparison.Ordinal))
            Assert.Contains($"dpop_jkt={deps.Dpop.IfNone(() => throw new InvalidOperationException()).Key.Thumbprint}", started.AuthorizationUrl);
        var code = await LocalDpop.FollowAsync(started.AuthorizationUrl);
        var callback = $"{AuthorityFixture.RedirectUri}?code={Uri.EscapeDataString(code)}&state={started.Pending.State.Value}&iss={Uri.EscapeDataString(_authority.Issuer.AbsoluteUri)}";
        return await Expect.Right(Flow.Complete(config, deps, pending.Ports.Take, Alice, callback, default));
    }

    private HttpClient Api(DpopBinding binding, string accessToken, HttpMessageHandler? inner = null) =>
        new(new DpopHandler(binding, _ => Task.FromResult(accessToken)) { InnerHandler = inner ?? new SocketsHttpHandler { AllowAutoRedirect = false } });

    [Theory]
    [InlineData("public", "ES256")]
    [InlineData("basic", "RS256")]
    [InlineData("post", "PS256")]
    public async Task A_whole_flow_with_dpop_gets_a_bound_token_that_the_api_accepts(string kind, string algorithm)
    {
        using var key = NewKey(algorithm);
        var deps = Deps(key);
        var config = Expect.Right(Config.Validate(AuthorityFixture.SettingsFor(_authority, Client(kind))));
        var token = await SignInAsync(config, deps);
        Assert.Equal("DPoP", token.TokenType);
        // The token endpoint asked for a nonce once: one refused request, one answered, for one code.
        Assert.Equal(2, _authority.TokenRequests);
        var introspection = await _authority.IntrospectAsync(token.AccessToken);
        Assert.Equal(key.Thumbprint, introspection.ConfirmationThumbprint);
        using var api = Api(deps.Dpop.IfNone(() => throw new InvalidOperationException()), token.AccessToken);
        using var me = await api.GetAsync(_authority.DpopApiEndpoint);
        Assert.True(me.StatusCode == HttpStatusCode.OK, await me.Content.ReadAsStringAsync());
        // The API asked for its own nonce once, then took the request again with it.
        Assert.Equal(2, _authority.DpopApiRequests);
        using var again = await api.GetAsync(_authority.DpopApiEndpoint);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(3, _authority.DpopApiRequests);
    }

    [Fact]
    public async Task A_pushed_request_carries_dpop_jkt_and_the_code_redeems_only_with_that_key()
    {
        using var key = NewKey();
        var settings = AuthorityFixture.SettingsFor(_authority, _authority.Par) with { PushedAuthorizationRequestEndpoint = _authority.PushedAuthorizationEndpoint.AbsoluteUri };
        var config = Expect.Right(Config.Validate(settings));
        var token = await SignInAsync(config, Deps(key));
        Assert.Equal(key.Thumbprint, (await _authority.IntrospectAsync(token.AccessToken)).ConfirmationThumbprint);

        // Another key cannot redeem a code bound to this one (RFC 9449 §10).
        using var other = NewKey();
        var pending = new InMemoryPendingStore();
        var started = await Expect.Right(Flow.Start(config, Deps(key), pending.Ports.Save, Alice, default));
        var code = await LocalDpop.FollowAsync(started.AuthorizationUrl);
        var callback = $"{AuthorityFixture.RedirectUri}?code={Uri.EscapeDataString(code)}&state={started.Pending.State.Value}&iss={Uri.EscapeDataString(_authority.Issuer.AbsoluteUri)}";
        var refused = await Expect.Left(Flow.Complete(config, Deps(other), pending.Ports.Take, Alice, callback, default));
        Assert.Equal("invalid_grant", Assert.IsType<PkceError.EndpointError>(refused).Error);
    }

    [Fact]
    public async Task A_stolen_token_is_useless_without_the_key_and_a_replayed_proof_is_refused()
    {
        using var key = NewKey();
        var deps = Deps(key);
        var token = await SignInAsync(Expect.Right(Config.Validate(AuthorityFixture.SettingsFor(_authority, _authority.Public))), deps);
        var recorder = new Recorder();
        using var api = Api(deps.Dpop.IfNone(() => throw new InvalidOperationException()), token.AccessToken, recorder);
        using (var ok = await api.GetAsync(_authority.DpopApiEndpoint)) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        using var raw = new HttpClient();
        // As a bearer token.
        using (var bearer = new HttpRequestMessage(HttpMethod.Get, _authority.DpopApiEndpoint))
        {
            bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
            using var answer = await raw.SendAsync(bearer);
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        }
        // With a proof of the thief's own key.
        using var thief = NewKey();
        using (var stolen = Api(new DpopBinding(thief), token.AccessToken))
        using (var answer = await stolen.GetAsync(_authority.DpopApiEndpoint))
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        // The genuine request's proof, replayed.
        using (var replay = new HttpRequestMessage(HttpMethod.Get, _authority.DpopApiEndpoint))
        {
            replay.Headers.TryAddWithoutValidation("Authorization", recorder.Last.Authorization);
            replay.Headers.TryAddWithoutValidation("DPoP", recorder.Last.Proof);
            using var answer = await raw.SendAsync(replay);
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        }
    }

    [Fact]
    public async Task A_refresh_sends_a_proof_of_the_same_key_and_keeps_the_binding()
    {
        using var key = NewKey();
        var deps = Deps(key);
        var config = Expect.Right(Config.Validate(AuthorityFixture.SettingsFor(_authority, _authority.Public)));
        var token = await SignInAsync(config, deps);
        var source = new TokenSource(config, deps, new InMemoryTokenStore().Ports);
        var tokenKey = new TokenKey(Alice, "api", "api offline_access");
        await Expect.Right(source.Save(tokenKey, token, default));
        var renewed = await Expect.Right(source.Refresh(tokenKey, default));
        Assert.NotEqual(token.AccessToken, renewed.AccessToken);
        Assert.Equal("DPoP", renewed.TokenType);
        Assert.Equal(key.Thumbprint, (await _authority.IntrospectAsync(renewed.AccessToken)).ConfirmationThumbprint);
        // A public client's refresh token is bound to the key (RFC 9449 §5): another key cannot use it.
        using var other = NewKey();
        var stolen = await Expect.Left(RefreshRequest.Send(config, Deps(other), renewed.RefreshToken.IfNone(""), None, default));
        Assert.Equal("invalid_grant", Assert.IsType<PkceError.EndpointError>(stolen).Error);
    }

    [Fact]
    public async Task The_facade_client_with_a_key_gets_a_dpop_token()
    {
        using var key = NewKey();
        using var client = new PkceClient(AuthorityFixture.SettingsFor(_authority, _authority.Basic), key);
        var url = await client.GetAuthorizationUrlAsync("alice");
        Assert.Contains($"dpop_jkt={key.Thumbprint}", url);
        var code = await LocalDpop.FollowAsync(url);
        var state = System.Web.HttpUtility.ParseQueryString(new Uri(url).Query)["state"];
        var token = await client.FetchAccessTokenAsync("alice", state, code, _authority.Issuer.AbsoluteUri);
        Assert.Equal("DPoP", token.TokenType);
        Assert.Same(key, client.Dpop!.Key);
    }

    [Fact]
    public async Task A_server_answering_bearer_to_a_dpop_request_is_refused_not_downgraded()
    {
        await using var host = await TokenEndpointHost.StartAsync();
        host.Respond = context => Microsoft.AspNetCore.Http.Results.Json(new { access_token = "AT", token_type = "Bearer", expires_in = 60 }).ExecuteAsync(context);
        using var key = NewKey();
        var config = Expect.Right(Config.Validate(new PkceSettings
        {
            ClientId = "c", RedirectUri = AuthorityFixture.RedirectUri, AuthorizationEndpoint = host.BaseAddress + "authorize", TokenEndpoint = host.TokenEndpoint.AbsoluteUri,
        }));
        var refused = await Expect.Left(RefreshRequest.Send(config, Deps(key), "RT", None, default));
        var mismatch = Assert.IsType<PkceError.TokenTypeMismatch>(refused);
        Assert.Equal("DPoP", mismatch.Expected);
        var request = Assert.Single(host.Received);
        Assert.Equal("POST", request.Method);
    }

    private LocalClient Client(string kind) => kind switch
    {
        "public" => _authority.Public,
        "basic" => _authority.Basic,
        _ => _authority.Post,
    };

    /// <summary>Keeps the headers of the last request that went through it.</summary>
    private sealed class Recorder() : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        public (string Authorization, string Proof) Last { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Last = (request.Headers.Authorization!.ToString(), request.Headers.GetValues("DPoP").Single());
            return base.SendAsync(request, cancellationToken);
        }
    }
}
