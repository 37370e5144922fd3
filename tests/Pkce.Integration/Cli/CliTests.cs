using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Pkce.Cli;
using Pkce.LocalAuthority;

namespace Pkce.Integration.Cli;

/// <summary>A local authority that knows one loopback redirect URI, for the command's tests.</summary>
public sealed class CliAuthorityFixture : IAsyncLifetime
{
    public int Port { get; } = Ports.Free();

    public string RedirectUri => $"http://127.0.0.1:{Port}/callback";

    public LocalAuthority.LocalAuthority Authority { get; private set; } = null!;

    public async Task InitializeAsync() => Authority = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions { RedirectUris = [RedirectUri] });

    public async Task DisposeAsync() => await Authority.DisposeAsync();

}

/// <summary>Runs the real <c>pkce</c> command line in-process, with a scripted browser.</summary>
public sealed class CliTests(CliAuthorityFixture fixture) : IClassFixture<CliAuthorityFixture>, IDisposable
{
    private readonly HttpClient _browser = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly TaskCompletionSource<HttpResponseMessage> _page = new();

    private LocalAuthority.LocalAuthority Authority => fixture.Authority;

    public void Dispose()
    {
        Authority.DenyAuthorizations = false;
        _browser.Dispose();
    }

    /// <summary>A browser that asks for a stray path first, then follows the redirect to a (possibly altered) callback.</summary>
    private OpenBrowser Follow(Func<string, string>? alter = null) => async (url, ct) =>
    {
        using var stray = await _browser.GetAsync(new Uri(new Uri(fixture.RedirectUri), "/favicon.ico"), ct);
        Assert.Equal(HttpStatusCode.NotFound, stray.StatusCode);
        using var authorization = await _browser.GetAsync(url, ct);
        var callback = (alter ?? (c => c))(authorization.Headers.Location!.OriginalString);
        _ = _browser.GetAsync(callback, ct).ContinueWith(t => _page.TrySetResult(t.Result), TaskScheduler.Default);
        return true;
    };

    private string[] Login(LocalClient client, params string[] extra)
    {
        var args = new List<string>
        {
            "login", "--authorization-endpoint", Authority.AuthorizationEndpoint.AbsoluteUri, "--token-endpoint", Authority.TokenEndpoint.AbsoluteUri,
            "--client-id", client.ClientId, "--scope", "api",
        };
        if (!extra.Contains("--issuer")) args.AddRange(["--issuer", Authority.Issuer.AbsoluteUri]);
        if (!extra.Contains("--redirect-uri")) args.AddRange(["--redirect-uri", fixture.RedirectUri]);
        if (client.ClientSecret is not null) args.AddRange(["--client-secret", client.ClientSecret]);
        if (client.Kind == LocalClientKind.ConfidentialPost) args.AddRange(["--client-auth", "post"]);
        args.AddRange(extra);
        return [.. args];
    }

    private static async Task<(int Exit, string Out, string Error)> RunAsync(string[] args, OpenBrowser browser, CancellationToken ct = default)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = await Commands.RunAsync(args, new Terminal(stdout, stderr, ErrorIsTerminal: false), browser, ct);
        return (exit, stdout.ToString(), stderr.ToString());
    }


    [Theory]
    [InlineData(LocalClientKind.Public)]
    [InlineData(LocalClientKind.ConfidentialBasic)]
    [InlineData(LocalClientKind.ConfidentialPost)]
    public async Task Login_prints_only_the_token_json_and_the_browser_gets_a_no_referrer_page(LocalClientKind kind)
    {
        var client = Authority.Clients.Single(c => c.Kind == kind);
        var (exit, stdout, stderr) = await RunAsync(Login(client), Follow());
        Assert.Equal(ExitCodes.Success, exit);
        using var json = JsonDocument.Parse(stdout);
        var introspection = await Authority.IntrospectAsync(json.RootElement.GetProperty("access_token").GetString()!);
        Assert.Equal((true, client.ClientId), (introspection.Active, introspection.ClientId));
        Assert.Contains("pkce: open this URL to sign in:\nhttp://127.0.0.1:", stderr.ReplaceLineEndings("\n"));
        var page = await _page.Task;
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("You are signed in.", await page.Content.ReadAsStringAsync());
        Assert.True(Ports.IsFree(fixture.Port), "the callback port was not released");
    }

    private async Task Fails(string[] args, OpenBrowser browser, int expectedExit, string expectedLine)
    {
        var before = Authority.TokenRequests;
        var (exit, stdout, stderr) = await RunAsync(args, browser);
        Assert.Equal(expectedExit, exit);
        Assert.Equal("", stdout);
        Assert.Contains(expectedLine, stderr.ReplaceLineEndings("\n").Split('\n'));
        Assert.Equal(before, Authority.TokenRequests);
        Assert.True(Ports.IsFree(fixture.Port), "the callback port was not released");
    }

    [Fact]
    public Task Forged_state_is_ignored_and_the_wait_goes_on_without_a_token_request() =>
        Fails(Login(Authority.Public, "--timeout", "2"), Follow(c => c.Replace("state=", "state=forged")), ExitCodes.TimedOut,
            "pkce: ignored a callback without this login's state (answered 400); still waiting for the sign-in callback");

    [Fact]
    public async Task Stray_and_cross_site_requests_never_decide_the_login()
    {
        OpenBrowser hostile = async (url, ct) =>
        {
            var state = QueryString.Parse(new Uri(url).Query).Single(p => p.Name == "state").Value;
            var callback = new Uri(fixture.RedirectUri);
            async Task<HttpStatusCode> Send(HttpMethod method, string query, string? host = null)
            {
                using var request = new HttpRequestMessage(method, new Uri(callback, callback.AbsolutePath + query));
                if (host is not null) request.Headers.Host = host;
                using var response = await _browser.SendAsync(request, ct);
                return response.StatusCode;
            }
            Assert.Equal(HttpStatusCode.MethodNotAllowed, await Send(HttpMethod.Options, ""));
            Assert.Equal(HttpStatusCode.BadRequest, await Send(HttpMethod.Post, "?state=junk", "evil.example"));
            Assert.Equal(HttpStatusCode.MethodNotAllowed, await Send(HttpMethod.Post, $"?code=x&state={state}"));
            Assert.Equal(HttpStatusCode.BadRequest, await Send(HttpMethod.Get, "?code=x&state=junk"));
            Assert.Equal(HttpStatusCode.BadRequest, await Send(HttpMethod.Get, "?code=x"));
            Assert.Equal(HttpStatusCode.BadRequest, await Send(HttpMethod.Get, $"?code=x&state={state}", $"evil.example:{fixture.Port}"));
            Assert.Equal(HttpStatusCode.BadRequest, await Send(HttpMethod.Get, $"?code=x&state={state}&state={state}"));
            return await Follow()(url, ct);
        };
        var before = Authority.TokenRequests;
        var (exit, stdout, stderr) = await RunAsync(Login(Authority.Public), hostile);
        Assert.Equal(ExitCodes.Success, exit);
        Assert.StartsWith("{", stdout);
        // Seven above, and the stray /favicon.ico that Follow() asks for first.
        Assert.Equal(8, stderr.Split('\n').Count(line => line.StartsWith("pkce: ignored ")));
        Assert.Contains("pkce: ignored a request for host 'evil.example' (answered 400); still waiting for the sign-in callback", stderr);
        Assert.Equal(before + 1, Authority.TokenRequests);
        Assert.Equal(HttpStatusCode.OK, (await _page.Task).StatusCode);
    }

    [Fact]
    public Task Server_text_with_control_characters_reaches_stderr_escaped() =>
        Fails(Login(Authority.Public), Follow(c => System.Text.RegularExpressions.Regex.Replace(c, "code=[^&]*",
                "error=access_denied&error_description=%1B%5B2J%0Apkce%3A%20token%20saved")), ExitCodes.FlowFailed,
            "pkce: authorization_denied: authorization server returned 'access_denied': \\u001B[2J\\u000Apkce: token saved");

    [Fact]
    public Task Issuer_given_makes_iss_required() =>
        Fails(Login(Authority.Public), Follow(c => System.Text.RegularExpressions.Regex.Replace(c, "&iss=[^&]*", "")), ExitCodes.FlowFailed,
            $"pkce: issuer_missing: the callback has no iss parameter, and '{Authority.Issuer.AbsoluteUri}' always sends one");

    [Theory]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("2147483647")]
    public Task Timeout_out_of_range_is_an_invalid_option(string seconds) =>
        Fails(Login(Authority.Public, "--timeout", seconds), Follow(), ExitCodes.InvalidOptions,
            $"pkce: invalid options: --timeout {seconds} is not between 1 and 86400 seconds");

    [Fact]
    public Task Access_denied_exits_1_without_a_token_request()
    {
        Authority.DenyAuthorizations = true;
        return Fails(Login(Authority.Basic), Follow(), ExitCodes.FlowFailed,
            "pkce: authorization_denied: authorization server returned 'access_denied': The test user declined.");
    }

    [Fact]
    public Task Issuer_mismatch_exits_1_without_a_token_request() =>
        Fails(Login(Authority.Post, "--issuer", "http://127.0.0.1:1/"), Follow(), ExitCodes.FlowFailed,
            $"pkce: issuer_mismatch: the callback's iss '{Authority.Issuer.AbsoluteUri}' is not the expected issuer 'http://127.0.0.1:1/'");

    [Fact]
    public Task No_callback_within_the_timeout_exits_124() =>
        Fails(Login(Authority.Public, "--timeout", "1"), (_, _) => Task.FromResult(true), ExitCodes.TimedOut,
            "pkce: timeout: no callback within 1 s");

    [Fact]
    public Task Localhost_redirect_uri_is_refused_as_an_invalid_option() =>
        Fails(Login(Authority.Public, "--redirect-uri", "http://localhost:8000/callback"), Follow(), ExitCodes.InvalidOptions,
            "pkce: invalid options: --redirect-uri 'http://localhost:8000/callback' must use the loopback IP literal 127.0.0.1 (RFC 8252 §7.3), not 'localhost'");

    [Fact]
    public Task Invalid_settings_are_all_listed() =>
        Fails(["login", "--client-id", "x", "--authority", "http://auth.example/", "--scope", "a\"b", "--no-browser"], Follow(), ExitCodes.InvalidOptions,
            "pkce: invalid options: scope token(s) 'a\"b' contain characters outside RFC 6749 §3.3 (%x21 / %x23-5B / %x5D-7E); " +
            "root URL 'http://auth.example/' uses http on a non-loopback host; use https; root URL 'http://auth.example/' uses http on a non-loopback host; use https");

    [Fact]
    public Task Unparsable_options_exit_2_on_stderr_only() =>
        Fails(["login", "--client-id", "x", "--timeout", "soon"], Follow(), ExitCodes.InvalidOptions, "pkce: see 'pkce --help'");

    [Fact]
    public async Task Ctrl_C_while_waiting_exits_130_and_releases_the_port()
    {
        using var cancel = new CancellationTokenSource();
        OpenBrowser cancelSoon = (_, _) =>
        {
            cancel.CancelAfter(TimeSpan.FromMilliseconds(300));
            return Task.FromResult(true);
        };
        var (exit, stdout, stderr) = await RunAsync(Login(Authority.Public), cancelSoon, cancel.Token);
        Assert.Equal((ExitCodes.Interrupted, ""), (exit, stdout));
        Assert.Contains("pkce: interrupted", stderr);
        Assert.True(Ports.IsFree(fixture.Port));
    }

    [Fact]
    public async Task Demo_prints_the_token_on_stdout_and_a_summary_on_stderr()
    {
        var (exit, stdout, stderr) = await RunAsync(["demo"], Follow());
        Assert.Equal(ExitCodes.Success, exit);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("Bearer", json.RootElement.GetProperty("token_type").GetString());
        Assert.Matches(@"\npkce: token type Bearer, expires in 3[56][0-9]{2} s, scope api offline_access, refresh token yes\r?\n", stderr);
    }
}
