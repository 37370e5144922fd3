using Microsoft.AspNetCore.Http;
using Pkce.Facade;
using Pkce.Samples;

namespace Pkce.Integration;

public sealed class FacadeTests : IAsyncLifetime
{
    private TokenEndpointHost _server = null!;

    public async Task InitializeAsync() => _server = await TokenEndpointHost.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>The README's GitLab manager, pointed at the local endpoint.</summary>
    private sealed class LocalGitLab(string root, string? secret = "s3cret") : GitLabPkceFlowManager
    {
        public override string RootUrl => root;
        public override string? ClientSecret => secret;
    }

    private sealed class Misconfigured : PkceFlowManager<int>
    {
        public override string ClientId => "";
        public override string RedirectUri => "callback";
        public override string RootUrl => "http://gitlab.example/oauth/";
        public override string? Scope => "read\"api";
        protected override Task StoreUserSecretsAsync(int user, string state, string codeVerifier, string codeChallenge, CancellationToken ct) => Task.CompletedTask;
        protected override Task<string?> RetrieveUserStateAsync(int user, CancellationToken ct) => Task.FromResult<string?>(null);
        protected override Task<string?> RetrieveUserCodeChallengeAsync(int user, CancellationToken ct) => Task.FromResult<string?>(null);
        protected override Task<string?> RetrieveUserCodeVerifierAsync(int user, CancellationToken ct) => Task.FromResult<string?>(null);
        protected override Task<bool> CheckUserStateAsync(int user, string state, CancellationToken ct) => Task.FromResult(false);
    }

    private static string StateOf(string url) => QueryString.Parse(new Uri(url).Query).Single(p => p.Name == "state").Value;

    private static Func<HttpContext, Task> Answer(int status, string json) => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    };

    [Fact]
    public async Task Manager_subclass_makes_secrets_builds_the_url_and_fetches_a_token_with_basic_auth()
    {
        using var manager = new LocalGitLab(_server.BaseAddress.AbsoluteUri);
        var url = await ManagerUsage.LoginAsync(manager, "alice");
        Assert.StartsWith(new Uri(_server.BaseAddress, "authorize").AbsoluteUri + "?response_type=code&client_id=our%20GitLab%20application%20id", url);
        Assert.Equal("signed in (Bearer, 2 characters)", await ManagerUsage.CallbackAsync(manager, "alice", StateOf(url), "code-1"));
        var received = Assert.Single(_server.Received);
        Assert.StartsWith("Basic ", received.Authorization);
        Assert.Equal("code-1", received.Form["code"]);
        Assert.Equal("http://127.0.0.1:8000/oauth/gitlab/callback/", received.Form["redirect_uri"]);
    }

    [Fact]
    public async Task Manager_secrets_deconstruct_like_the_seed_and_print_without_the_verifier()
    {
        using var manager = new LocalGitLab(_server.BaseAddress.AbsoluteUri);
        var secrets = await manager.MakeUserSecretsAsync("bob");
        var (state, verifier, challenge) = secrets;
        Assert.Equal((43, 43, 43), (state.Length, verifier.Length, challenge.Length));
        Assert.DoesNotContain(verifier, secrets.ToString());
    }

    [Theory]
    [InlineData("forged-state", "state_mismatch", "forged or stale callback: state_mismatch")]
    [InlineData(null, "state_missing", "forged or stale callback: state_missing")]
    public async Task Manager_refuses_a_wrong_or_missing_state_without_calling_the_token_endpoint(string? state, string code, string shown)
    {
        using var manager = new LocalGitLab(_server.BaseAddress.AbsoluteUri);
        await ManagerUsage.LoginAsync(manager, "alice");
        var error = await Assert.ThrowsAsync<StateForgeryException>(() => manager.FetchAccessTokenAsync("alice", state, "code-1"));
        Assert.Equal(code, error.Code);
        Assert.Equal(shown, await ManagerUsage.CallbackAsync(manager, "alice", state, "code-1"));
        Assert.Empty(_server.Received);
    }

    [Fact]
    public async Task Manager_replay_finds_the_secrets_forgotten()
    {
        using var manager = new LocalGitLab(_server.BaseAddress.AbsoluteUri);
        var state = StateOf(await ManagerUsage.LoginAsync(manager, "alice"));
        await manager.FetchAccessTokenAsync("alice", state, "code-1");
        var replay = await Assert.ThrowsAsync<StateForgeryException>(() => manager.FetchAccessTokenAsync("alice", state, "code-1"));
        Assert.Equal("state_unknown", replay.Code);
        Assert.Equal("no pending authorization is known for this state", replay.Message);
        Assert.Single(_server.Received);
    }

    [Fact]
    public async Task Manager_token_errors_become_PkceFlowException_with_the_oauth_fields()
    {
        _server.Respond = Answer(400, """{"error":"invalid_grant","error_description":"code expired"}""");
        using var manager = new LocalGitLab(_server.BaseAddress.AbsoluteUri);
        var state = StateOf(await ManagerUsage.LoginAsync(manager, "alice"));
        var error = await Assert.ThrowsAsync<PkceFlowException>(() => manager.FetchAccessTokenAsync("alice", state, "code-1"));
        Assert.Equal(("invalid_grant", "code expired", 400, "token_endpoint_error"), (error.OAuthError, error.ErrorDescription, error.StatusCode, error.Code));
        Assert.Equal("token endpoint answered 400 with 'invalid_grant': code expired", error.Message);
    }

    [Fact]
    public void Misconfigured_manager_throws_at_construction_listing_every_problem()
    {
        var error = Assert.Throws<ImproperlyConfiguredException>(() => new Misconfigured());
        Assert.Equal(
            [
                "client id is missing",
                "redirect URI 'callback' is not an absolute URI",
                "scope token(s) 'read\"api' contain characters outside RFC 6749 §3.3 (%x21 / %x23-5B / %x5D-7E)",
                "root URL 'http://gitlab.example/oauth/' uses http on a non-loopback host; use https",
                "root URL 'http://gitlab.example/oauth/' uses http on a non-loopback host; use https",
            ],
            error.Problems);
        Assert.StartsWith("invalid configuration: client id is missing; ", error.Message);
    }

    private PkceClient Client(HttpClient http, TimeSpan? timeout = null) =>
        new(new PkceSettings
        {
            ClientId = "my-app", RedirectUri = "http://127.0.0.1:8000/oauth/callback", RootUrl = _server.BaseAddress.AbsoluteUri,
            Scope = "read_api", ExpectedIssuer = "https://issuer.example", Timeout = timeout ?? TimeSpan.FromSeconds(10),
        }, httpClient: http);

    private sealed class CountingHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        public int Sent;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Sent);
            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task Client_round_trip_uses_the_injected_HttpClient_and_sends_extras()
    {
        var handler = new CountingHandler();
        using var http = new HttpClient(handler);
        using var client = CompositionStyle.Create(_server.BaseAddress.AbsoluteUri, http);
        string? seen = null;
        var result = await CompositionStyle.RoundTripAsync(client, "alice", url =>
        {
            seen = url;
            return Task.FromResult($"http://127.0.0.1:8000/oauth/callback?code=c1&state={StateOf(url)}");
        });
        Assert.Equal("signed in, token expires in 0 s", result);
        Assert.Contains("&prompt=consent", seen);
        Assert.Equal(1, handler.Sent);
    }

    [Fact]
    public async Task Client_runs_two_flows_of_one_user_at_once()
    {
        using var http = new HttpClient();
        using var client = Client(http);
        var first = StateOf(await client.GetAuthorizationUrlAsync("alice"));
        var second = StateOf(await client.GetAuthorizationUrlAsync("alice"));
        await client.HandleCallbackAsync("alice", new Uri($"http://127.0.0.1:8000/oauth/callback?code=b&state={second}&iss=https%3A%2F%2Fissuer.example"));
        await client.FetchAccessTokenAsync("alice", first, "a");
        Assert.Equal(["b", "a"], _server.Received.Select(r => r.Form["code"]));
    }

    [Fact]
    public async Task Client_maps_each_callback_failure_to_its_exception()
    {
        using var http = new HttpClient();
        using var client = Client(http);
        async Task<PkceException> Fails(string user, Func<string, string> callback)
        {
            var state = StateOf(await client.GetAuthorizationUrlAsync("alice"));
            return await Assert.ThrowsAnyAsync<PkceException>(() => client.HandleCallbackAsync(user, callback(state)));
        }

        var denied = Assert.IsType<AuthorizationDeniedException>(await Fails("alice", s => $"?error=access_denied&error_description=No+thanks&state={s}"));
        Assert.Equal(("access_denied", "No thanks"), (denied.OAuthError, denied.ErrorDescription));
        Assert.Equal("authorization server returned 'access_denied': No thanks", denied.Message);
        Assert.Equal("wrong_user", Assert.IsType<StateForgeryException>(await Fails("mallory", s => $"?code=x&state={s}")).Code);
        var mixUp = Assert.IsType<StateForgeryException>(await Fails("alice", s => $"?code=x&state={s}&iss=https%3A%2F%2Fevil.example"));
        Assert.Equal("the callback's iss 'https://evil.example' is not the expected issuer 'https://issuer.example'", mixUp.Message);
        Assert.Equal("malformed_callback", Assert.IsType<StateForgeryException>(await Fails("alice", s => $"?code=x&state={s}&code=y")).Code);
        Assert.Empty(_server.Received);
    }

    [Fact]
    public async Task Client_timeout_is_a_PkceFlowException()
    {
        _server.Respond = async context => await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted);
        using var http = new HttpClient();
        using var client = Client(http, TimeSpan.FromMilliseconds(300));
        var state = StateOf(await client.GetAuthorizationUrlAsync("alice"));
        var error = await Assert.ThrowsAsync<PkceFlowException>(() => client.FetchAccessTokenAsync("alice", state, "c"));
        Assert.Equal(("timeout", "the token endpoint did not answer within 0.3 s", (int?)null), (error.Code, error.Message, error.StatusCode));
    }

    [Fact]
    public async Task Client_refuses_extras_that_override_the_protocol()
    {
        using var http = new HttpClient();
        using var client = Client(http);
        var error = await Assert.ThrowsAsync<PkceFlowException>(() => client.GetAuthorizationUrlAsync("alice", [new("state", "mine")]));
        Assert.Equal("invalid extra parameter: 'state' is already set by the request", error.Message);
    }
}
