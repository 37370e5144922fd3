using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Pkce.Cli;
using Pkce.Integration.NoSecret;
using Pkce.LocalAuthority;

namespace Pkce.Integration;

/// <summary>
/// No secret anywhere, the <c>pkce</c> command in-process: login, token, refresh, logout, profiles and demo, each
/// succeeding and failing, with a profile of a public client, one of a confidential client and one bound to a DPoP
/// key. Everything the command writes is looked at: stderr always, stdout minus the token it was asked to print, and
/// the page the browser is shown. The authority is reached through a recording proxy that the command takes for the
/// server (discovery, PAR, the token and revocation endpoints): it records every secret that passes, the verifier and
/// the rotated refresh tokens included; DPoP proofs name the server's own URL, so the DPoP profile talks to the
/// authority directly and its secrets are read from its token store and key file.
/// </summary>
public sealed class NoSecretAnywhereCliTests : IAsyncLifetime
{
    private readonly SecretLedger _ledger = new();
    private readonly HttpClient _browser = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly string _state = Directory.CreateTempSubdirectory("pkce-nosecret-").FullName;
    private readonly List<Task> _pages = [];
    private readonly int _port = Ports.Free();
    private LocalAuthority.LocalAuthority _authority = null!;
    private RecordingProxy _proxy = null!;

    private string RedirectUri => $"http://127.0.0.1:{_port}/callback";

    private string Issuer => _proxy.BaseAddress.AbsoluteUri;

    public async Task InitializeAsync()
    {
        _authority = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions { RedirectUris = [RedirectUri] });
        _proxy = await RecordingProxy.StartAsync(_authority.Issuer, _ledger);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _authority.DisposeAsync();
        _browser.Dispose();
        Directory.Delete(_state, recursive: true);
    }

    /// <summary>Plays the browser: the authorization URL, then its redirect (the callback, optionally altered), whose page is kept.</summary>
    private OpenBrowser Browser(Func<string, string>? alter = null) => async (url, ct) =>
    {
        using var authorization = await _browser.GetAsync(url, ct);
        var callback = authorization.Headers.Location?.OriginalString ?? throw new Xunit.Sdk.XunitException($"no redirect ({(int)authorization.StatusCode})");
        _ledger.Secret("authorization code", QueryString.Parse(new Uri(callback).Query).Find(p => p.Name == "code").Map(p => p.Value).IfNoneUnsafe((string?)null));
        lock (_pages)
            _pages.Add(Task.Run(async () =>
            {
                using var page = await _browser.GetAsync((alter ?? (c => c))(callback));
                _ledger.Shown("the page the browser was shown", await SecretLedger.TextOf(page));
            }));
        return true;
    };

    /// <summary>Runs the command; stderr is looked at whole, stdout minus <paramref name="requested"/> (what it was asked to print).</summary>
    private async Task<(int Exit, string Out)> RunAsync(string[] args, string? stdin = null, string? secret = null, OpenBrowser? browser = null,
        Func<string, string?[]>? requested = null)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var terminal = new Terminal(stdout, stderr, ErrorIsTerminal: false)
        {
            In = new StringReader(stdin ?? ""),
            Variable = name => name switch
            {
                StateDirectory.Variable => _state,
                "PKCE_CLIENT_SECRET" => secret,
                _ => null,
            },
        };
        var exit = await Commands.RunAsync(args, terminal, browser ?? Browser());
        var command = "pkce " + string.Join(' ', args);
        _ledger.Shown($"{command}: stderr", stderr.ToString());
        _ledger.Shown($"{command}: stdout", stdout.ToString(), requested?.Invoke(stdout.ToString()) ?? []);
        return (exit, stdout.ToString());
    }

    /// <summary>The tokens a token response JSON printed on stdout holds: recorded as secrets, and what the command was asked to print.</summary>
    private string?[] TokensOf(string json)
    {
        if (!json.TrimStart().StartsWith('{')) return [];
        using var document = JsonDocument.Parse(json);
        var tokens = new[] { "access_token", "refresh_token", "id_token" }
            .Select(name => document.RootElement.TryGetProperty(name, out var value) ? value.GetString() : null).ToArray();
        _ledger.Secret("access token", tokens[0]);
        _ledger.Secret("refresh token", tokens[1]);
        return tokens;
    }

    private Profiles Open() => new(new StateDirectory(_state), _ => null);

    /// <summary>The profile's stored tokens, recorded as secrets; and its DPoP key, if it has one.</summary>
    private async Task<TokenSet?> StoredAsync(string name)
    {
        using var profiles = Open();
        var profile = profiles.Find(name).IfLeft(problem => throw new Xunit.Sdk.XunitException(problem)).IfNone(() => throw new Xunit.Sdk.XunitException("no profile " + name));
        if (profile.Dpop is not null) ProfileKeys.Load(profiles, profile).IfRight(key => key.IfSome(_ledger.Key));
        var stored = await Expect.Right(profiles.TokensOf(profile).Load(profile.Key, default));
        var tokens = stored.Tokens.IfNoneUnsafe((TokenSet?)null);
        _ledger.Secret("access token", tokens?.AccessToken);
        _ledger.Secret("refresh token", tokens?.RefreshToken.IfNoneUnsafe((string?)null));
        return tokens;
    }

    /// <summary>Moves the stored access token's expiry into the past, as time passing would.</summary>
    private async Task ExpireAsync(string name)
    {
        using var profiles = Open();
        var profile = profiles.Find(name).IfLeft(problem => throw new Xunit.Sdk.XunitException(problem)).IfNone(() => throw new Xunit.Sdk.XunitException("no profile"));
        var stored = await Expect.Right(profiles.TokensOf(profile).Load(profile.Key, default));
        var tokens = stored.Tokens.IfNone(() => throw new Xunit.Sdk.XunitException("no tokens"));
        Assert.True(await Expect.Right(profiles.TokensOf(profile).Swap(profile.Key, stored.Version,
            stored with { Tokens = Some(tokens with { ExpiresAt = Some(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1)) }) }, default)));
    }

    private string[] Login(LocalClient client, params string[] extra) =>
        ["login", "--issuer", Issuer, "--client-id", client.ClientId, "--scope", "api offline_access", "--redirect-uri", RedirectUri, .. extra];

    /// <summary>The current access token of a profile: what <c>pkce token</c> is asked to print.</summary>
    private Func<string, string?[]> Access(string profile) => _ => [StoredAsync(profile).GetAwaiter().GetResult()?.AccessToken];

    /// <summary>The hostile token endpoint: answers with <paramref name="answer"/> to what it was sent, and leaves the rest to the authority.</summary>
    private void Hostile(Func<HostileEndpoint.Echo, Func<HttpContext, Task>>? answer) =>
        _proxy.Tamper = answer is null ? null : async context =>
        {
            if (context.Request.Path.Value is not ("/connect/token" or "/connect/revoke")) return false;
            await answer(await HostileEndpoint.EchoOf(context))(context);
            return true;
        };

    [Fact]
    public async Task No_command_shows_a_secret_beyond_the_output_it_was_asked_for()
    {
        _ledger.Secret("client secret", _authority.Basic.ClientSecret);

        // One-off login of the confidential client: stdout is the token response it was asked for.
        Assert.Equal(ExitCodes.Success, (await RunAsync(Login(_authority.Basic, "--client-secret", _authority.Basic.ClientSecret!), requested: TokensOf)).Exit);

        // A public client's profile: login, token in every form, refreshes, the one-off refresh, a refused refresh token, login again.
        Assert.Equal((ExitCodes.Success, ""), await RunAsync(Login(_authority.Public, "--profile", "pub")));
        await StoredAsync("pub");
        Assert.Equal(ExitCodes.Success, (await RunAsync(["token", "--profile", "pub"], requested: Access("pub"))).Exit);
        Assert.Equal(ExitCodes.Success, (await RunAsync(["token", "--profile", "pub", "--header"], requested: Access("pub"))).Exit);
        Assert.Equal(ExitCodes.Success, (await RunAsync(["token", "--profile", "pub", "--json"], requested: Access("pub"))).Exit);
        await ExpireAsync("pub");
        Assert.Equal(ExitCodes.Success, (await RunAsync(["token", "--profile", "pub"], requested: Access("pub"))).Exit);
        Assert.Equal(ExitCodes.Success, (await RunAsync(["refresh", "--profile", "pub"], requested: Access("pub"))).Exit);
        var spent = (await StoredAsync("pub"))!.RefreshToken.IfNone("");
        Assert.Equal(ExitCodes.Success, (await RunAsync(["refresh", "--issuer", Issuer, "--client-id", _authority.Public.ClientId, "--refresh-token", "-"],
            stdin: spent + "\n", requested: TokensOf)).Exit);
        await ExpireAsync("pub");
        Assert.Equal(ExitCodes.LoginRequired, (await RunAsync(["token", "--profile", "pub"])).Exit);
        Assert.Equal(ExitCodes.Success, (await RunAsync(["token", "--profile", "pub", "--login-if-needed"], requested: Access("pub"))).Exit);
        Assert.Equal(ExitCodes.Success, (await RunAsync(["profiles"])).Exit);
        Assert.Equal(ExitCodes.Success, (await RunAsync(["logout", "--profile", "pub"])).Exit);
        Assert.Equal(ExitCodes.LoginRequired, (await RunAsync(["token", "--profile", "pub"])).Exit);

        // A confidential client's profile, its secret from the environment; refreshes through a hostile token endpoint.
        var secret = _authority.Basic.ClientSecret;
        Assert.Equal((ExitCodes.Success, ""), await RunAsync(Login(_authority.Basic, "--profile", "conf"), secret: secret));
        await StoredAsync("conf");
        foreach (var (_, answer) in HostileEndpoint.Answers)
        {
            Hostile(answer);
            await ExpireAsync("conf");
            await RunAsync(["token", "--profile", "conf"], secret: secret, requested: Access("conf"));
            await RunAsync(["refresh", "--profile", "conf"], secret: secret, requested: Access("conf"));
            await RunAsync(["refresh", "--issuer", Issuer, "--client-id", _authority.Basic.ClientId, "--refresh-token", "-"],
                stdin: (await StoredAsync("conf"))?.RefreshToken.IfNone("") + "\n", secret: secret, requested: TokensOf);
            await RunAsync(["logout", "--profile", "conf"], secret: secret);
            Hostile(null);
            await RunAsync(Login(_authority.Basic, "--profile", "conf"), secret: secret);
            await StoredAsync("conf");
        }

        // Logins that fail: a forged state (the wait times out), access denied, a hostile token endpoint (each answer).
        Assert.Equal(ExitCodes.TimedOut, (await RunAsync(Login(_authority.Public, "--timeout", "2"), browser: Browser(c => c.Replace("state=", "state=forged")))).Exit);
        _authority.DenyAuthorizations = true;
        Assert.Equal(ExitCodes.FlowFailed, (await RunAsync(Login(_authority.Public))).Exit);
        _authority.DenyAuthorizations = false;
        foreach (var (_, answer) in HostileEndpoint.Answers)
        {
            Hostile(answer);
            await RunAsync(Login(_authority.Basic, "--client-secret", secret!), requested: TokensOf);
            await RunAsync(Login(_authority.Basic, "--profile", "hostile"), secret: secret);
        }
        Hostile(null);

        // A profile bound to a DPoP key, at the authority itself.
        Assert.Equal((ExitCodes.Success, ""), await RunAsync(["login", "--profile", "dpop", "--dpop", "--issuer", _authority.Issuer.AbsoluteUri,
            "--client-id", _authority.Public.ClientId, "--scope", "api offline_access", "--redirect-uri", RedirectUri]));
        Assert.NotNull(await StoredAsync("dpop"));
        Assert.Equal(1, _ledger.Count("DPoP private key (PKCS#8)"));
        Assert.Equal(ExitCodes.Success, (await RunAsync(["token", "--profile", "dpop", "--header", "--method", "GET", "--url", _authority.DpopApiEndpoint.AbsoluteUri],
            requested: Access("dpop"))).Exit);
        Assert.Equal(ExitCodes.Success, (await RunAsync(["refresh", "--profile", "dpop"], requested: Access("dpop"))).Exit);
        Assert.Equal(ExitCodes.Success, (await RunAsync(["token", "--profile", "dpop", "--json"], requested: Access("dpop"))).Exit);
        Assert.Equal(ExitCodes.Success, (await RunAsync(["logout", "--profile", "dpop"])).Exit);

        // The server gone: the confidential profile's logout only forgets.
        await _proxy.DisposeAsync();
        await RunAsync(["logout", "--profile", "conf"], secret: secret);
        _proxy = await RecordingProxy.StartAsync(_authority.Issuer, _ledger);

        // The demo: its own authority; stdout is the token response.
        Assert.Equal(ExitCodes.Success, (await RunAsync(["demo"], requested: TokensOf)).Exit);

        await Task.WhenAll(_pages).WaitAsync(TimeSpan.FromSeconds(30));
        _ledger.AssertNoLeak("client secret", "code verifier", "authorization code", "access token", "refresh token", "DPoP private key");
    }
}
