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
        protected override Task StoreUserSecretsAsync(int user, UserSecrets secrets, CancellationToken ct) => Task.CompletedTask;
        protected override Task<UserSecrets?> TakeUserSecretsAsync(int user, string state, CancellationToken ct) => Task.FromResult<UserSecrets?>(null);
    }

    private static Dictionary<string, string> QueryOf(string url) => QueryString.Parse(new Uri(url).Query).ToDictionary(p => p.Name, p => p.Value);

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
        Assert.Equal("signed in (Bearer, 2 characters)", await ManagerUsage.CallbackAsync(manager, "alice", StateOf(url), "code-1", null));
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
    [InlineData("forged-state", "state_unknown", "forged or stale callback: state_unknown")]
    [InlineData(null, "state_missing", "forged or stale callback: state_missing")]
    public async Task Manager_refuses_a_wrong_or_missing_state_without_calling_the_token_endpoint(string? state, string code, string shown)
    {
        using var manager = new LocalGitLab(_server.BaseAddress.AbsoluteUri);
        await ManagerUsage.LoginAsync(manager, "alice");
        var error = await Assert.ThrowsAsync<StateForgeryException>(() => manager.FetchAccessTokenAsync("alice", state, "code-1", null));
        Assert.Equal(code, error.Code);
        Assert.Equal(shown, await ManagerUsage.CallbackAsync(manager, "alice", state, "code-1", null));
        Assert.Empty(_server.Received);
    }

    [Fact]
    public async Task Manager_with_only_the_required_hooks_redeems_a_state_once()
    {
        using var manager = new LocalGitLab(_server.BaseAddress.AbsoluteUri);
        var state = StateOf(await ManagerUsage.LoginAsync(manager, "alice"));
        await manager.FetchAccessTokenAsync("alice", state, "code-1", null);
        var replay = await Assert.ThrowsAsync<StateForgeryException>(() => manager.FetchAccessTokenAsync("alice", state, "code-1", null));
        Assert.Equal("state_unknown", replay.Code);
        Assert.Equal("no pending authorization is known for this state", replay.Message);
        Assert.Single(_server.Received);
    }

    [Fact]
    public async Task Manager_refuses_a_callback_after_the_pending_lifetime_without_a_token_request()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        using var manager = new ClockedGitLab(_server.BaseAddress.AbsoluteUri, clock);
        var state = StateOf(await manager.GetAuthorizationUrlAsync("alice"));
        clock.Advance(TimeSpan.FromMinutes(10));
        var stale = await Assert.ThrowsAsync<StateForgeryException>(() => manager.FetchAccessTokenAsync("alice", state, "code-1", null));
        Assert.Equal("state_expired", stale.Code);
        Assert.Empty(_server.Received);
    }

    [Fact]
    public async Task Manager_hands_out_a_fresh_state_and_challenge_for_every_url_and_only_the_last_one_works()
    {
        using var manager = new LocalGitLab(_server.BaseAddress.AbsoluteUri);
        var first = QueryOf(await manager.GetAuthorizationUrlAsync("alice"));
        var second = QueryOf(await manager.GetAuthorizationUrlAsync("alice"));
        Assert.NotEqual(first["state"], second["state"]);
        Assert.NotEqual(first["code_challenge"], second["code_challenge"]);
        var replaced = await Assert.ThrowsAsync<StateForgeryException>(() => manager.FetchAccessTokenAsync("alice", first["state"], "code-1", null));
        Assert.Equal("state_unknown", replaced.Code);
        await manager.FetchAccessTokenAsync("alice", second["state"], "code-2", null);
        Assert.Equal("code-2", Assert.Single(_server.Received).Form["code"]);
    }

    [Fact]
    public async Task Manager_lets_one_of_many_concurrent_identical_callbacks_through()
    {
        _server.Respond = async context =>
        {
            await Task.Delay(50); // keep the first exchange in flight while the others arrive
            await Results.Json(new { access_token = "AT", token_type = "Bearer" }).ExecuteAsync(context);
        };
        using var manager = new LocalGitLab(_server.BaseAddress.AbsoluteUri);
        for (var race = 0; race < 20; race++)
        {
            var state = StateOf(await manager.GetAuthorizationUrlAsync("alice"));
            using var start = new ManualResetEventSlim();
            var attempts = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                start.Wait();
                try
                {
                    await manager.FetchAccessTokenAsync("alice", state, "code-1", null);
                    return true;
                }
                catch (StateForgeryException)
                {
                    return false;
                }
            })).ToArray();
            start.Set();
            Assert.Equal(1, (await Task.WhenAll(attempts)).Count(won => won));
        }
        Assert.Equal(20, _server.Received.Count);
    }

    [Fact]
    public async Task Manager_subclass_may_set_its_attributes_in_its_own_constructor()
    {
        using var manager = new ConstructedManager(new Uri(_server.BaseAddress, "oauth/").AbsoluteUri, "app-from-constructor");
        var url = await manager.GetAuthorizationUrlAsync(7);
        Assert.Contains("client_id=app-from-constructor", url);
        await manager.FetchAccessTokenAsync(7, StateOf(url), "code-1", null);
        Assert.Equal("/oauth/token", Assert.Single(_server.Received).Path);
    }

    [Fact]
    public async Task Manager_checks_iss_when_the_server_always_sends_it()
    {
        using var manager = new IssuerGitLab(_server.BaseAddress.AbsoluteUri);
        var missing = await Assert.ThrowsAsync<StateForgeryException>(async () =>
            await manager.FetchAccessTokenAsync("alice", StateOf(await manager.GetAuthorizationUrlAsync("alice")), "code-1", null));
        Assert.Equal("issuer_missing", missing.Code);
        var wrong = await Assert.ThrowsAsync<StateForgeryException>(async () =>
            await manager.FetchAccessTokenAsync("alice", StateOf(await manager.GetAuthorizationUrlAsync("alice")), "code-1", "https://evil.example"));
        Assert.Equal("issuer_mismatch", wrong.Code);
        Assert.Empty(_server.Received);
        await manager.FetchAccessTokenAsync("alice", StateOf(await manager.GetAuthorizationUrlAsync("alice")), "code-1", "https://issuer.example");
        var url = await manager.GetAuthorizationUrlAsync("alice");
        await manager.HandleCallbackAsync("alice", $"https://app.example/cb?code=code-2&state={StateOf(url)}&iss=https%3A%2F%2Fissuer.example");
        Assert.Equal(2, _server.Received.Count);
    }

    [Fact]
    public async Task Invalid_arguments_are_argument_exceptions_not_flow_failures()
    {
        using var manager = new LocalGitLab(_server.BaseAddress.AbsoluteUri);
        var extra = await Assert.ThrowsAsync<PkceArgumentException>(() => manager.GetAuthorizationUrlAsync("alice", [new("STATE", "mine")]));
        Assert.Equal("invalid_value", extra.Code);
        using var client = Client();
        var user = await Assert.ThrowsAsync<PkceArgumentException>(() => client.GetAuthorizationUrlAsync(""));
        Assert.Equal("invalid user key: missing", user.Message);
    }

    [Fact]
    public async Task Manager_refuses_another_users_secrets_even_from_a_store_keyed_by_state_alone()
    {
        using var manager = new StateKeyedManager(_server.BaseAddress.AbsoluteUri);
        var mallorys = StateOf(await manager.GetAuthorizationUrlAsync("mallory"));
        var error = await Assert.ThrowsAsync<StateForgeryException>(() => manager.FetchAccessTokenAsync("alice", mallorys, "mallorys-code", null));
        Assert.Equal("wrong_user", error.Code);
        Assert.Empty(_server.Received);
    }

    [Theory]
    [InlineData(0, "state_expired")]
    [InlineData(1, "store_failure")]
    public async Task Manager_refuses_stored_secrets_without_a_believable_expiry(int which, string code)
    {
        var expiry = which == 0 ? default : DateTimeOffset.MaxValue;
        using var manager = new StateKeyedManager(_server.BaseAddress.AbsoluteUri, expiry);
        var state = StateOf(await manager.GetAuthorizationUrlAsync("alice"));
        var error = await Assert.ThrowsAnyAsync<PkceException>(() => manager.FetchAccessTokenAsync("alice", state, "code-1", null));
        Assert.Equal(code, error.Code);
        Assert.Empty(_server.Received);
    }

    [Fact]
    public async Task A_null_extra_parameter_is_an_argument_exception()
    {
        using var manager = new LocalGitLab(_server.BaseAddress.AbsoluteUri);
        await Assert.ThrowsAsync<PkceArgumentException>(() => manager.GetAuthorizationUrlAsync("alice", [KeyValuePair.Create("prompt", (string)null!)]));
        await Assert.ThrowsAsync<PkceArgumentException>(() => manager.GetAuthorizationUrlAsync("alice", [KeyValuePair.Create((string)null!, "x")]));
    }

    /// <summary>Keeps rows by state only (an atomic DELETE ... WHERE state = @s RETURNING), and can spoil their expiry.</summary>
    private sealed class StateKeyedManager(string root, DateTimeOffset? expiry = null) : GitLabPkceFlowManager
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, UserSecrets> _byState = new();
        public override string RootUrl => root;
        public override string? ClientSecret => "s3cret";

        protected override Task StoreUserSecretsAsync(string user, UserSecrets secrets, CancellationToken ct)
        {
            _byState[secrets.State] = expiry is { } spoiled ? secrets with { ExpiresAt = spoiled } : secrets;
            return Task.CompletedTask;
        }

        protected override Task<UserSecrets?> TakeUserSecretsAsync(string user, string state, CancellationToken ct) =>
            Task.FromResult(_byState.TryRemove(state, out var row) ? row : null);
    }

    private sealed class ClockedGitLab(string root, TimeProvider clock) : GitLabPkceFlowManager
    {
        public override string RootUrl => root;
        public override string? ClientSecret => "s3cret";
        protected override TimeProvider Clock => clock;
    }

    private sealed class IssuerGitLab(string root) : GitLabPkceFlowManager
    {
        public override string RootUrl => root;
        public override string? ClientSecret => "s3cret";
        public override string? ExpectedIssuer => "https://issuer.example";
        public override bool IssuerAlwaysSent => true;
    }

    /// <summary>Sets its attributes in its own constructor, which runs after the base constructor.</summary>
    private sealed class ConstructedManager : PkceFlowManager<int>
    {
        private readonly string _root;
        private readonly string _clientId;
        private readonly System.Collections.Concurrent.ConcurrentDictionary<int, UserSecrets> _rows = new();

        public ConstructedManager(string root, string clientId) => (_root, _clientId) = (root, clientId);

        public override string ClientId => _clientId;
        public override string RedirectUri => "http://127.0.0.1:8000/cb";
        public override string RootUrl => _root;

        protected override Task StoreUserSecretsAsync(int user, UserSecrets secrets, CancellationToken ct)
        {
            _rows[user] = secrets;
            return Task.CompletedTask;
        }

        protected override Task<UserSecrets?> TakeUserSecretsAsync(int user, string state, CancellationToken ct) =>
            Task.FromResult(_rows.TryGetValue(user, out var row) && row.State == state && _rows.TryRemove(KeyValuePair.Create(user, row)) ? row : null);
    }

    [Fact]
    public async Task Manager_token_errors_become_PkceFlowException_with_the_oauth_fields()
    {
        _server.Respond = Answer(400, """{"error":"invalid_grant","error_description":"code expired"}""");
        using var manager = new LocalGitLab(_server.BaseAddress.AbsoluteUri);
        var state = StateOf(await ManagerUsage.LoginAsync(manager, "alice"));
        var error = await Assert.ThrowsAsync<PkceFlowException>(() => manager.FetchAccessTokenAsync("alice", state, "code-1", null));
        Assert.Equal(("invalid_grant", "code expired", 400, "endpoint_error"), (error.OAuthError, error.ErrorDescription, error.StatusCode, error.Code));
        Assert.Equal("token endpoint answered 400 with 'invalid_grant': code expired", error.Message);
    }

    [Fact]
    public async Task Misconfigured_manager_throws_on_first_use_listing_every_problem()
    {
        using var manager = new Misconfigured();
        var error = await Assert.ThrowsAsync<ImproperlyConfiguredException>(() => manager.GetAuthorizationUrlAsync(1));
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

    private PkceClient Client(TimeSpan? timeout = null) =>
        new(new PkceSettings
        {
            ClientId = "my-app", RedirectUri = "http://127.0.0.1:8000/oauth/callback", RootUrl = _server.BaseAddress.AbsoluteUri,
            Scope = "read_api", ExpectedIssuer = "https://issuer.example", Timeout = timeout ?? TimeSpan.FromSeconds(10),
        }, transport: new SocketsHttpHandler());

    [Fact]
    public async Task Client_round_trip_uses_the_given_socket_handler_and_sends_extras()
    {
        var transport = new SocketsHttpHandler { AllowAutoRedirect = true };
        using var client = CompositionStyle.Create(_server.BaseAddress.AbsoluteUri, transport);
        string? seen = null;
        var result = await CompositionStyle.RoundTripAsync(client, "alice", url =>
        {
            seen = url;
            return Task.FromResult($"http://127.0.0.1:8000/oauth/callback?code=c1&state={StateOf(url)}");
        });
        Assert.Equal("signed in, token expires in 0 s", result);
        Assert.Contains("&prompt=consent", seen);
        Assert.Single(_server.Received);
        Assert.False(transport.AllowAutoRedirect);
    }

    [Fact]
    public async Task Client_runs_two_flows_of_one_user_at_once()
    {
        using var client = Client();
        var first = StateOf(await client.GetAuthorizationUrlAsync("alice"));
        var second = StateOf(await client.GetAuthorizationUrlAsync("alice"));
        await client.HandleCallbackAsync("alice", new Uri($"http://127.0.0.1:8000/oauth/callback?code=b&state={second}&iss=https%3A%2F%2Fissuer.example"));
        await client.FetchAccessTokenAsync("alice", first, "a", null);
        Assert.Equal(["b", "a"], _server.Received.Select(r => r.Form["code"]));
    }

    [Fact]
    public async Task Client_maps_each_callback_failure_to_its_exception()
    {
        using var client = Client();
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
        using var client = Client(TimeSpan.FromMilliseconds(300));
        var state = StateOf(await client.GetAuthorizationUrlAsync("alice"));
        var error = await Assert.ThrowsAsync<PkceFlowException>(() => client.FetchAccessTokenAsync("alice", state, "c", null));
        Assert.Equal(("timeout", "the token endpoint did not answer within 0.3 s", (int?)null), (error.Code, error.Message, error.StatusCode));
    }

    [Fact]
    public async Task Client_refuses_extras_that_override_the_protocol()
    {
        using var client = Client();
        var error = await Assert.ThrowsAsync<PkceArgumentException>(() => client.GetAuthorizationUrlAsync("alice", [new("state", "mine")]));
        Assert.Equal("invalid extra parameter: 'state' is already set by the request", error.Message);
    }
}
