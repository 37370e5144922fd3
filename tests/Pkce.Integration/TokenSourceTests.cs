using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Pkce.Http;

namespace Pkce.Integration;

/// <summary>
/// The token source and discovery against a scripted server on 127.0.0.1: the cases a review of the lifecycle found
/// (each test failed before its fix), where a buggy or hostile server or bad timing could make a client redeem one
/// refresh token twice, lose a rotated one, storm the server, or keep a logged-out grant alive.
/// </summary>
public sealed class TokenSourceTests : IAsyncLifetime
{
    private TokenEndpointHost _server = null!;
    private readonly HttpPort _http = HttpPort.Create();
    private static readonly UserKey Alice = UserKey.From("alice").IfLeft(_ => throw new InvalidOperationException());
    private static readonly TokenKey Key = new(Alice, "api", "api offline_access");

    public async Task InitializeAsync() => _server = await TokenEndpointHost.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private PkceConfig Config() => Expect.Right(Pkce.Config.Validate(new PkceSettings
    {
        ClientId = "client", RedirectUri = "http://127.0.0.1/cb", Scope = "api offline_access",
        AuthorizationEndpoint = _server.BaseAddress + "authorize", TokenEndpoint = _server.BaseAddress + "token",
        RevocationEndpoint = _server.BaseAddress + "revoke", Timeout = TimeSpan.FromSeconds(10),
    }));

    private (TokenSource Source, InMemoryTokenStore Store, FakeTimeProvider Clock) Source(Func<TokenStore, TokenStore>? wrap = null)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new InMemoryTokenStore(clock);
        return (new TokenSource(Config(), new Dependencies(Secrets.SystemRandom, clock, _http), (wrap ?? (p => p))(store.Ports)), store, clock);
    }

    private static TokenResponse Response(string at, string? rt, int? expiresIn) =>
        new(at, "Bearer", expiresIn is { } e ? Some(TimeSpan.FromSeconds(e)) : None, Optional(rt), None, None, HashMap<string, JsonElement>(), "{}");

    private static Task Json(HttpContext c, string body, int status = 200, string type = "application/json")
    {
        c.Response.StatusCode = status;
        c.Response.ContentType = type;
        return c.Response.WriteAsync(body);
    }

    private void Rotating(int expiresIn = 3600) 
    {
        var n = 0;
        _server.Respond = c => c.Request.Path == "/revoke"
            ? Json(c, "")
            : Json(c, $$"""{"access_token":"AT{{Interlocked.Increment(ref n)}}","token_type":"Bearer","refresh_token":"RT{{n}}","expires_in":{{expiresIn}}}""");
    }

    private List<string> RefreshTokensSent() =>
        _server.Received.Where(r => r.Path == "/token").Select(r => r.Form.GetValueOrDefault("refresh_token") ?? "").ToList();

    [Theory]
    [InlineData("""{"access_token":"ATx","token_type":"DPoP","refresh_token":"RT-rotated","expires_in":3600}""")]
    [InlineData("""{"access_token":"ATx","token_type":"Bearer","refresh_token":"RT-rotated","expires_in":-5}""")]
    [InlineData("""{"access_token":"ATx","token_type":"Bearer","refresh_token":"RT-rotated","expires_in":3600,"scope":["api"]}""")]
    public async Task A_rotated_refresh_token_in_an_unusable_answer_is_kept_and_the_old_one_never_sent_again(string firstAnswer)
    {
        var (source, _, _) = Source();
        await Expect.Right(source.Save(Key, Response("AT0", "RT0", 3600), default));
        var n = 0;
        _server.Respond = c => Interlocked.Increment(ref n) == 1
            ? Json(c, firstAnswer)
            : Json(c, """{"access_token":"AT2","token_type":"Bearer","refresh_token":"RT2","expires_in":3600}""");
        Assert.True((await source.Refresh(Key, default).ToEither()).IsLeft);
        Assert.Equal("AT2", (await Expect.Right(source.Get(Key, default))).AccessToken);
        Assert.Equal(["RT0", "RT-rotated"], RefreshTokensSent());
    }

    [Fact]
    public async Task A_renewal_the_store_could_not_write_is_written_first_next_time_and_its_refresh_token_used()
    {
        var failing = false;
        var (source, store, _) = Source(p => p with
        {
            Swap = (k, v, n, ct) => failing ? LeftAsync<PkceError, bool>(new PkceError.StoreFailure("disk full")) : p.Swap(k, v, n, ct),
        });
        await Expect.Right(source.Save(Key, Response("AT0", "RT0", 3600), default));
        Rotating();
        failing = true;
        Assert.IsType<PkceError.StoreFailure>(await Expect.Left(source.Refresh(Key, default)));
        failing = false;
        // The next renewal first writes the one the store refused; its refresh token is the live one from then on.
        Assert.Equal("AT1", (await Expect.Right(source.Refresh(Key, default))).AccessToken);
        Assert.Equal("AT1", (await Expect.Right(store.Load(Key, default))).Tokens.Map(t => t.AccessToken).IfNone(""));
        await Expect.Right(source.Refresh(Key, default));
        Assert.Equal(["RT0", "RT1"], RefreshTokensSent());
    }

    [Fact]
    public async Task Tokens_shorter_than_the_margin_do_not_make_every_call_a_refresh()
    {
        var (source, _, clock) = Source();
        await Expect.Right(source.Save(Key, Response("AT0", "RT0", 60), default));
        Rotating(expiresIn: 60);
        for (var i = 0; i < 10; i++) await Expect.Right(source.Get(Key, default));
        Assert.Equal(0, source.Refreshes);
        clock.Advance(TimeSpan.FromSeconds(31));
        for (var i = 0; i < 10; i++) await Expect.Right(source.Get(Key, default));
        Assert.Equal(1, source.Refreshes);
    }

    [Fact]
    public async Task An_empty_refresh_token_in_an_answer_keeps_the_old_one()
    {
        var (source, _, _) = Source();
        await Expect.Right(source.Save(Key, Response("AT0", "RT0", 3600), default));
        _server.Respond = c => Json(c, """{"access_token":"AT1","token_type":"Bearer","refresh_token":"","expires_in":3600}""");
        await Expect.Right(source.Refresh(Key, default));
        await Expect.Right(source.Refresh(Key, default));
        Assert.Equal(["RT0", "RT0"], RefreshTokensSent());
    }

    [Fact]
    public async Task A_logout_during_a_refresh_revokes_the_rotated_token_and_a_new_login_is_never_overwritten()
    {
        var (source, store, _) = Source();
        await Expect.Right(source.Save(Key, Response("AT0", "RT0", 3600), default));
        var gate = new TaskCompletionSource();
        _server.Respond = async c =>
        {
            if (c.Request.Path == "/revoke") { c.Response.StatusCode = 200; return; }
            await gate.Task;
            await Json(c, """{"access_token":"AT-old-grant","token_type":"Bearer","refresh_token":"RT-old-grant","expires_in":3600}""");
        };
        var refresh = source.Refresh(Key, default).ToEither();
        while (!_server.Received.Any(r => r.Path == "/token")) await Task.Delay(10);
        var logout = source.Revoke(Key, default).ToEither();
        gate.SetResult();
        await refresh;
        Assert.Equal(None, Expect.Right(await logout));
        Assert.Contains(_server.Received, r => r.Path == "/revoke" && r.Form["token"] == "RT-old-grant");
        await Expect.Right(source.Save(Key, Response("AT-new-login", "RT-new-login", 3600), default));
        var stored = await Expect.Right(store.Load(Key, default));
        Assert.Equal("AT-new-login", stored.Tokens.Map(t => t.AccessToken).IfNone(""));
        Assert.True(stored.Version > 3);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(200)]
    public async Task Invalid_grant_on_another_status_than_400_is_not_taken_as_final(int status)
    {
        var (source, _, _) = Source();
        await Expect.Right(source.Save(Key, Response("AT0", "RT0", 3600), default));
        _server.Respond = c => Json(c, """{"error":"invalid_grant"}""", status);
        Assert.IsType<PkceError.EndpointError>(await Expect.Left(source.Refresh(Key, default)));
        Assert.Equal("AT0", (await Expect.Right(source.Get(Key, default))).AccessToken);
    }

    [Fact]
    public async Task After_a_refused_refresh_a_logout_still_revokes_the_refresh_token()
    {
        var (source, _, _) = Source();
        await Expect.Right(source.Save(Key, Response("AT0", "RT0", 3600), default));
        _server.Respond = c => c.Request.Path == "/revoke" ? Json(c, "") : Json(c, """{"error":"invalid_grant"}""", 400);
        Assert.IsType<PkceError.LoginRequired>(await Expect.Left(source.Refresh(Key, default)));
        await Expect.Right(source.Revoke(Key, default));
        Assert.Contains(_server.Received, r => r.Path == "/revoke" && r.Form["token"] == "RT0");
    }

    [Fact]
    public async Task A_login_saved_during_a_refresh_is_what_the_waiting_callers_get()
    {
        var (source, _, _) = Source();
        await Expect.Right(source.Save(Key, Response("AT0", "RT0", 3600), default));
        var gate = new TaskCompletionSource();
        _server.Respond = async c => { await gate.Task; await Json(c, """{"access_token":"AT1","token_type":"Bearer","refresh_token":"RT1","expires_in":3600}"""); };
        var refresh = source.Refresh(Key, default).ToEither();
        while (_server.Received.Count < 1) await Task.Delay(10);
        await Expect.Right(source.Save(Key, Response("AT-login", "RT-login", 3600), default));
        gate.SetResult();
        Assert.Equal("AT-login", Expect.Right(await refresh).AccessToken);
    }

    [Fact]
    public async Task A_token_echoed_by_the_server_never_reaches_an_error_message()
    {
        var (source, _, _) = Source();
        await Expect.Right(source.Save(Key, Response("AT0", "RT-secret-value-0", 3600), default));
        _server.Respond = c => Json(c, """{"error":"invalid_request","error_description":"refresh token RT-secret-value-0 malformed"}""", 400);
        var error = await Expect.Left(source.Refresh(Key, default));
        Assert.DoesNotContain("RT-secret-value-0", error.ToString());
        Assert.Contains("[redacted]", error.Message);
    }

    [Fact]
    public void Options_with_a_negative_margin_and_keys_with_missing_parts_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenSourceOptions(TimeSpan.FromSeconds(-1), TimeSpan.FromMinutes(1)));
        Assert.Throws<ArgumentNullException>(() => new TokenKey(Alice, null!, "api"));
    }

    // Discovery

    private string Issuer => _server.BaseAddress.AbsoluteUri + "tenant";

    private string Document(string issuer) =>
        $$"""{"issuer":"{{issuer}}","authorization_endpoint":"{{_server.BaseAddress}}authorize","token_endpoint":"{{_server.BaseAddress}}token"}""";

    [Fact]
    public void The_rfc8414_location_drops_the_issuers_terminating_slash() =>
        Assert.Equal("https://as.example/.well-known/oauth-authorization-server/tenant",
            Expect.Right(Discovery.Locations("https://as.example/tenant/"))[0].AbsoluteUri);

    [Fact]
    public async Task An_html_page_at_the_rfc8414_location_sends_discovery_on_to_openid_configuration()
    {
        _server.Respond = c => c.Request.Path.Value!.EndsWith("openid-configuration", StringComparison.Ordinal)
            ? Json(c, Document(Issuer))
            : Json(c, "<html>SPA catch-all</html>", 200, "text/html");
        await Expect.Right(Discovery.Fetch(_http, Issuer, TimeSpan.FromSeconds(5), default));
        Assert.Equal(2, _server.Received.Count);
    }

    [Fact]
    public void A_document_naming_a_member_twice_is_refused()
    {
        const string body = """{"issuer":"https://evil.example","issuer":"https://as.example","authorization_endpoint":"https://as.example/a","token_endpoint":"https://as.example/t"}""";
        var answer = new HttpAnswer(MetadataParser.EndpointName, 200, Some("application/json"), Encoding.UTF8.GetBytes(body));
        Assert.IsType<PkceError.UnexpectedResponse>(Expect.Left(MetadataParser.Parse(answer, "https://as.example")));
        var token = new HttpAnswer("token endpoint", 200, Some("application/json"), Encoding.UTF8.GetBytes("""{"access_token":"a","access_token":"b","token_type":"Bearer"}"""));
        Assert.IsType<PkceError.UnexpectedResponse>(Expect.Left(TokenResponseParser.Parse(token)));
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/token")]
    [InlineData("https://user:pass@as.example/token")]
    public void An_https_issuer_cannot_name_a_plain_or_credentialed_endpoint(string tokenEndpoint)
    {
        var body = $$"""{"issuer":"https://as.example","authorization_endpoint":"https://as.example/a","token_endpoint":"{{tokenEndpoint}}"}""";
        var answer = new HttpAnswer(MetadataParser.EndpointName, 200, Some("application/json"), Encoding.UTF8.GetBytes(body));
        Assert.IsType<PkceError.InvalidMetadata>(Expect.Left(MetadataParser.Parse(answer, "https://as.example")));
    }

    [Fact]
    public async Task A_failed_fetch_nobody_waited_for_is_not_served_later()
    {
        var cache = new MetadataCache(_http, TimeProvider.System, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5));
        _server.Respond = async c => { await Task.Delay(300); c.Response.StatusCode = 503; };
        using (var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(50)))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.Get(Issuer, impatient.Token).ToEither());
        await Task.Delay(1000);
        _server.Respond = c => Json(c, Document(Issuer));
        await Expect.Right(cache.Get(Issuer, default));
    }

    [Fact]
    public void An_authorization_endpoint_whose_query_names_a_parameter_the_library_sets_is_refused()
    {
        var error = Assert.IsType<PkceError.InvalidConfiguration>(Expect.Left(Pkce.Config.Validate(new PkceSettings
        {
            ClientId = "client", RedirectUri = "http://127.0.0.1/cb",
            AuthorizationEndpoint = "https://as.example/authorize?client_id=other&request_uri=x", TokenEndpoint = "https://as.example/token",
        })));
        Assert.Contains(error.Problems, p => p.Contains("'client_id', 'request_uri'"));
    }
}
