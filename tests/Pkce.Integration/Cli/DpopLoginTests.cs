using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Pkce.Cli;
using Pkce.LocalAuthority;

namespace Pkce.Integration.Cli;

/// <summary>
/// <c>pkce login --dpop --profile</c> against the local authority (RFC 9449): the tokens are bound to the profile's
/// key (introspection's <c>cnf.jkt</c>), the two headers of <c>pkce token --header --method --url</c> are what the
/// authority's DPoP API accepts, a refresh keeps the binding, nonces are answered, and the key never shows.
/// </summary>
public sealed class DpopLoginTests(CliAuthorityFixture fixture) : IClassFixture<CliAuthorityFixture>, IDisposable
{
    private readonly HttpClient _browser = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly HttpClient _api = new();
    private readonly string _state = Directory.CreateTempSubdirectory("pkce-state-").FullName;
    private readonly List<string> _outputs = [];

    private LocalAuthority.LocalAuthority Authority => fixture.Authority;

    public void Dispose()
    {
        _browser.Dispose();
        _api.Dispose();
        Directory.Delete(_state, recursive: true);
    }

    private OpenBrowser Follow => async (url, ct) =>
    {
        using var authorization = await _browser.GetAsync(url, ct);
        _ = _browser.GetAsync(authorization.Headers.Location!, ct).ContinueWith(t => t.Result.Dispose(), TaskScheduler.Default);
        return true;
    };

    /// <summary>Runs the command in-process; every output is kept, to look for the key in at the end.</summary>
    private async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var terminal = new Terminal(stdout, stderr, ErrorIsTerminal: false) { Variable = name => name == StateDirectory.Variable ? _state : null };
        var exit = await Commands.RunAsync(args, terminal, Follow);
        _outputs.Add(stdout.ToString());
        _outputs.Add(stderr.ToString());
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private async Task LoginAsync(string profile, LocalAuthority.LocalAuthority authority, params string[] extra)
    {
        var (exit, stdout, stderr) = await RunAsync(["login", "--profile", profile, "--issuer", authority.Issuer.AbsoluteUri, "--client-id", authority.Public.ClientId,
            "--scope", "api offline_access", "--redirect-uri", fixture.RedirectUri, .. extra]);
        Assert.True(exit == ExitCodes.Success, stderr);
        Assert.Equal("", stdout);
    }

    private Profiles Open() => new(new StateDirectory(_state), _ => null);

    private async Task<(Profile Profile, TokenSet Tokens)> StoredAsync(string name)
    {
        using var profiles = Open();
        var profile = profiles.Find(name).IfLeft(p => throw new Xunit.Sdk.XunitException(p)).IfNone(() => throw new Xunit.Sdk.XunitException("no profile"));
        var stored = await Expect.Right(profiles.TokensOf(profile).Load(profile.Key, default));
        return (profile, stored.Tokens.IfNone(() => throw new Xunit.Sdk.XunitException("no tokens")));
    }

    /// <summary>The two header lines of <c>pkce token --header</c> for a GET of <paramref name="url"/>.</summary>
    private async Task<string[]> HeadersAsync(string profile, Uri url, params string[] extra)
    {
        var (exit, stdout, stderr) = await RunAsync(["token", "--profile", profile, "--header", "--method", "GET", "--url", url.AbsoluteUri, .. extra]);
        Assert.True(exit == ExitCodes.Success, stderr);
        var lines = stdout.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        return lines;
    }

    /// <summary>Sends a GET with the header lines as printed, as <c>curl -H</c> would.</summary>
    private async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> CallAsync(Uri url, IEnumerable<string> headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var line in headers)
        {
            var colon = line.IndexOf(':');
            Assert.True(request.Headers.TryAddWithoutValidation(line[..colon], line[(colon + 1)..].Trim()));
        }
        var response = await _api.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    /// <summary>Neither the key file's content nor its private key appeared in any output of the command.</summary>
    private void KeyNeverShown(string name)
    {
        var file = File.ReadAllText(ProfileKeys.PathOf(new StateDirectory(_state), name));
        using var json = JsonDocument.Parse(file);
        var secret = json.RootElement.GetProperty("pkcs8").GetString()!;
        Assert.All(_outputs, output =>
        {
            Assert.DoesNotContain(secret, output);
            // Nor any long piece of it (a line-wrapped or partial print).
            for (var i = 0; i + 24 <= secret.Length; i += 12) Assert.DoesNotContain(secret.Substring(i, 24), output);
        });
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Login_with_dpop_binds_the_tokens_to_the_profile_key_and_its_headers_are_accepted_by_a_dpop_api()
    {
        await LoginAsync("bound", Authority, "--dpop");
        var (profile, tokens) = await StoredAsync("bound");
        var keyFile = ProfileKeys.PathOf(new StateDirectory(_state), "bound");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.NotNull(profile.Dpop);
        Assert.Equal("ES256", profile.Dpop!.Algorithm);
        Assert.Equal("DPoP", tokens.TokenType);
        using (var profiles = Open())
        using (var key = Expect.Right(ProfileKeys.Load(profiles, profile)).IfNone(() => throw new Xunit.Sdk.XunitException("no key")))
            Assert.Equal(profile.Dpop.Thumbprint, key.Thumbprint);

        var introspection = await Authority.IntrospectAsync(tokens.AccessToken);
        Assert.True(introspection.Active);
        Assert.Equal(profile.Dpop.Thumbprint, introspection.ConfirmationThumbprint);

        var headers = await HeadersAsync("bound", Authority.DpopApiEndpoint);
        Assert.Equal($"Authorization: DPoP {tokens.AccessToken}", headers[0]);
        var (status, body, response) = await CallAsync(Authority.DpopApiEndpoint, headers);
        response.Dispose();
        Assert.True(status == HttpStatusCode.OK, body);
        using (var me = JsonDocument.Parse(body)) Assert.Equal(profile.Dpop.Thumbprint, me.RootElement.GetProperty("jkt").GetString());
        // The same proof twice is a replay: each request needs its own headers.
        var (replayed, _, replay) = await CallAsync(Authority.DpopApiEndpoint, headers);
        replay.Dispose();
        Assert.Equal(HttpStatusCode.Unauthorized, replayed);

        var list = await RunAsync("profiles");
        Assert.Contains($"DPoP-bound (ES256, key thumbprint {profile.Dpop.Thumbprint})", list.Out);
        KeyNeverShown("bound");
    }

    [Fact]
    public async Task Refresh_gives_a_new_token_bound_to_the_same_key_and_a_new_login_keeps_the_key()
    {
        await LoginAsync("renewed", Authority, "--dpop", "--dpop-alg", "PS256");
        var (profile, first) = await StoredAsync("renewed");
        var before = Authority.TokenRequests;
        var (exit, stdout, stderr) = await RunAsync("refresh", "--profile", "renewed", "--header", "--method", "GET", "--url", Authority.DpopApiEndpoint.AbsoluteUri);
        Assert.True(exit == ExitCodes.Success, stderr);
        Assert.Equal(before + 1, Authority.TokenRequests);
        var (_, second) = await StoredAsync("renewed");
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal($"Authorization: DPoP {second.AccessToken}", stdout.Split(Environment.NewLine)[0]);
        Assert.Equal(profile.Dpop!.Thumbprint, (await Authority.IntrospectAsync(second.AccessToken)).ConfirmationThumbprint);
        var (status, body, response) = await CallAsync(Authority.DpopApiEndpoint, stdout.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        response.Dispose();
        Assert.True(status == HttpStatusCode.OK, body);

        // Signing in again (no --dpop needed: the profile remembers) binds the new tokens to the same key.
        await LoginAsync("renewed", Authority);
        var (again, third) = await StoredAsync("renewed");
        Assert.Equal(profile.Dpop, again.Dpop);
        Assert.Equal(profile.Dpop.Thumbprint, (await Authority.IntrospectAsync(third.AccessToken)).ConfirmationThumbprint);
        Assert.Contains(_outputs, o => o.Contains($"pkce: using the profile's DPoP key (PS256, thumbprint {profile.Dpop.Thumbprint})", StringComparison.Ordinal));
        KeyNeverShown("renewed");
    }

    [Fact]
    public async Task Nonces_of_the_token_endpoint_are_answered_and_the_api_nonce_is_given_with_dpop_nonce()
    {
        var strict = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions
        {
            RedirectUris = [fixture.RedirectUri], RequireDpop = true, RequireDpopNonce = true, RequireDpopNonceAtApi = true,
        });
        await using (strict)
        {
            await LoginAsync("nonces", strict, "--dpop");
            var (profile, tokens) = await StoredAsync("nonces");
            Assert.Equal(profile.Dpop!.Thumbprint, (await strict.IntrospectAsync(tokens.AccessToken)).ConfirmationThumbprint);
            var refreshed = await RunAsync("refresh", "--profile", "nonces");
            Assert.True(refreshed.Exit == ExitCodes.Success, refreshed.Error);

            var (status, _, response) = await CallAsync(strict.DpopApiEndpoint, await HeadersAsync("nonces", strict.DpopApiEndpoint));
            using (response)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, status);
                Assert.Contains("use_dpop_nonce", response.Headers.WwwAuthenticate.ToString());
                var nonce = response.Headers.GetValues("DPoP-Nonce").Single();
                var (ok, body, second) = await CallAsync(strict.DpopApiEndpoint, await HeadersAsync("nonces", strict.DpopApiEndpoint, "--dpop-nonce", nonce));
                second.Dispose();
                Assert.True(ok == HttpStatusCode.OK, body);
            }
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Logout_of_a_dpop_profile_revokes_its_tokens_and_keeps_its_key()
    {
        await LoginAsync("out", Authority, "--dpop");
        var (profile, tokens) = await StoredAsync("out");
        var (exit, _, stderr) = await RunAsync("logout", "--profile", "out");
        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("pkce: revoked the tokens of profile out at the server (RFC 7009) and deleted them", stderr);
        Assert.False((await Authority.IntrospectAsync(tokens.AccessToken)).Active);
        Assert.True(File.Exists(ProfileKeys.PathOf(new StateDirectory(_state), "out")));
        await LoginAsync("out", Authority);
        Assert.Equal(profile.Dpop, (await StoredAsync("out")).Profile.Dpop);
    }

    [Fact]
    public async Task Login_if_needed_signs_in_again_with_the_same_key_and_prints_headers_the_api_accepts()
    {
        await LoginAsync("again", Authority, "--dpop");
        var (profile, _) = await StoredAsync("again");
        Assert.Equal(ExitCodes.Success, (await RunAsync("logout", "--profile", "again")).Exit);
        var url = Authority.DpopApiEndpoint.AbsoluteUri;
        var needed = await RunAsync("token", "--profile", "again", "--header", "--method", "GET", "--url", url);
        Assert.Equal((ExitCodes.LoginRequired, ""), (needed.Exit, needed.Out));
        var (exit, stdout, stderr) = await RunAsync("token", "--profile", "again", "--header", "--method", "GET", "--url", url, "--login-if-needed");
        Assert.True(exit == ExitCodes.Success, stderr);
        var (after, tokens) = await StoredAsync("again");
        Assert.Equal(profile.Dpop, after.Dpop);
        Assert.StartsWith($"Authorization: DPoP {tokens.AccessToken}{Environment.NewLine}DPoP: ", stdout);
        var (status, body, response) = await CallAsync(Authority.DpopApiEndpoint, stdout.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        response.Dispose();
        Assert.True(status == HttpStatusCode.OK, body);
        KeyNeverShown("again");
    }

    [Fact]
    public async Task A_token_process_never_prints_a_bearer_header_for_a_dpop_profile_and_its_dpop_headers_are_accepted()
    {
        await LoginAsync("process", Authority, "--dpop");
        var (_, tokens) = await StoredAsync("process");
        var bare = await ProcessAsync("token", "--profile", "process", "--header");
        Assert.Equal((ExitCodes.InvalidOptions, ""), (bare.Exit, bare.Out));
        Assert.Contains("uses DPoP: --header needs --method METHOD --url URL", bare.Error);
        Assert.Equal((ExitCodes.Success, tokens.AccessToken + "\n", ""), await ProcessAsync("token", "--profile", "process"));
        var headers = await ProcessAsync("token", "--profile", "process", "--header", "--method", "GET", "--url", Authority.DpopApiEndpoint.AbsoluteUri);
        Assert.Equal((ExitCodes.Success, ""), (headers.Exit, headers.Error));
        Assert.DoesNotContain("Bearer", headers.Out);
        var (status, body, response) = await CallAsync(Authority.DpopApiEndpoint, headers.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        response.Dispose();
        Assert.True(status == HttpStatusCode.OK, body);
        _outputs.AddRange([bare.Out, bare.Error, headers.Out, headers.Error]);
        KeyNeverShown("process");
    }

    /// <summary>Runs the built command as a process of its own, with the test's state directory.</summary>
    private async Task<(int Exit, string Out, string Error)> ProcessAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "pkce.dll"), .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
        };
        start.Environment[StateDirectory.Variable] = _state;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await stdout, await stderr);
    }
}
