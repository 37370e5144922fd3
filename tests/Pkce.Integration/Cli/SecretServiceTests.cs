using System.Diagnostics;
using Pkce.Cli;
using Pkce.LocalAuthority;

namespace Pkce.Integration.Cli;

/// <summary>
/// A private Secret Service for the tests: a D-Bus session bus of its own (<c>dbus-daemon --session</c>) and
/// gnome-keyring on it, headless, its login keyring created and unlocked with a password on standard input, under a
/// scratch home. Debian: <c>apt-get install dbus gnome-keyring libsecret-tools</c> (test.sh installs them).
/// </summary>
public sealed class SecretServiceFixture : IAsyncLifetime
{
    private readonly string _home = Directory.CreateTempSubdirectory("pkce-keyring-home-").FullName;
    private Process? _bus;
    private Process? _keyring;

    /// <summary>The bus address that <c>secret-tool</c> is given.</summary>
    public string Address { get; private set; } = "";

    private static Process Start(string program, string[] args, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        try
        {
            return Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{program} is missing: apt-get install dbus gnome-keyring libsecret-tools (test.sh installs them)", e);
        }
    }

    public async Task InitializeAsync()
    {
        _bus = Start("dbus-daemon", ["--session", "--nofork", "--nopidfile", "--print-address=1"], new Dictionary<string, string> { ["HOME"] = _home });
        Address = (await _bus.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)))?.Trim()
            ?? throw new InvalidOperationException("dbus-daemon printed no address: " + await _bus.StandardError.ReadToEndAsync());
        _keyring = Start("gnome-keyring-daemon", ["--foreground", "--unlock", "--components=secrets"],
            new Dictionary<string, string> { ["HOME"] = _home, ["DBUS_SESSION_BUS_ADDRESS"] = Address });
        // --unlock reads the login keyring's password from standard input (it creates the keyring with it).
        await _keyring.StandardInput.WriteAsync("pkce-test-keyring");
        _keyring.StandardInput.Close();
        _ = _keyring.StandardError.ReadToEndAsync();
        // It prints its environment once the unlocked login keyring is on the bus; a request before that would make the
        // bus start another daemon, with a locked keyring whose prompt cannot be shown here.
        for (string? line = ""; line is not null && !line.StartsWith("GNOME_KEYRING_CONTROL=", StringComparison.Ordinal);)
            line = await _keyring.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _ = _keyring.StandardOutput.ReadToEndAsync();
        var vault = new SecretServiceVault(name => name == "DBUS_SESSION_BUS_ADDRESS" ? Address : null);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                vault.Write("probe.json", "{}"u8.ToArray());
                vault.Delete("probe.json");
                return;
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    public Task DisposeAsync()
    {
        foreach (var process in new[] { _keyring, _bus })
        {
            if (process is null) continue;
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
            process.Dispose();
        }
        Directory.Delete(_home, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>A profile whose tokens are in the Secret Service: nothing secret on disk, the same commands and guarantees.</summary>
public sealed class SecretServiceTests(CliAuthorityFixture fixture, SecretServiceFixture keyring)
    : IClassFixture<CliAuthorityFixture>, IClassFixture<SecretServiceFixture>, IDisposable
{
    private readonly HttpClient _browser = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly string _state = Directory.CreateTempSubdirectory("pkce-state-").FullName;

    private LocalAuthority.LocalAuthority Authority => fixture.Authority;

    public void Dispose()
    {
        _browser.Dispose();
        Directory.Delete(_state, recursive: true);
    }

    private string? Variable(string name) => name switch
    {
        StateDirectory.Variable => _state,
        "DBUS_SESSION_BUS_ADDRESS" => keyring.Address,
        _ => null,
    };

    private async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        OpenBrowser follow = async (url, ct) =>
        {
            using var authorization = await _browser.GetAsync(url, ct);
            _ = _browser.GetAsync(authorization.Headers.Location!, ct).ContinueWith(t => t.Result.Dispose(), TaskScheduler.Default);
            return true;
        };
        var exit = await Commands.RunAsync(args, new Terminal(stdout, stderr, ErrorIsTerminal: false) { Variable = Variable }, follow);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Tokens_live_in_the_keyring_and_are_refreshed_and_revoked_through_it()
    {
        var login = await RunAsync("login", "--profile", "keyring", "--token-store", "secret-service", "--issuer", Authority.Issuer.AbsoluteUri,
            "--client-id", Authority.Public.ClientId, "--scope", "api offline_access", "--redirect-uri", fixture.RedirectUri);
        Assert.True(login.Exit == ExitCodes.Success, login.Error);
        Assert.Contains("tokens in the Secret Service", login.Error);

        using var profiles = new Profiles(new StateDirectory(_state), Variable);
        var profile = profiles.Find("keyring").IfLeft(p => throw new Xunit.Sdk.XunitException(p)).IfNone(() => throw new Xunit.Sdk.XunitException("no profile"));
        Assert.Equal(SecretServiceVault.StoreName, profile.Vault);
        var store = profiles.TokensOf(profile);
        var stored = await Expect.Right(store.Load(profile.Key, default));
        var first = stored.Tokens.IfNone(() => throw new InvalidOperationException());
        Assert.True((await Authority.IntrospectAsync(first.AccessToken)).Active);
        // On disk: the profile, and the lock and lease files; no token anywhere.
        foreach (var file in Directory.EnumerateFiles(_state, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(first.AccessToken, File.ReadAllText(file));
            Assert.DoesNotContain(first.RefreshToken.IfNone("-"), File.ReadAllText(file));
        }
        Assert.False(File.Exists(store.PathOf(profile.Key)));

        Assert.Equal((ExitCodes.Success, first.AccessToken + "\n", ""), await RunAsync("token", "--profile", "keyring"));
        Assert.Null(QuickToken.Answer(["token", "--profile", "keyring"], Variable, DateTimeOffset.UtcNow));
        Assert.True(await Expect.Right(store.Swap(profile.Key, stored.Version,
            stored with { Tokens = Some(first with { ExpiresAt = Some(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1)) }) }, default)));
        var before = Authority.TokenRequests;
        var renewed = await RunAsync("token", "--profile", "keyring");
        Assert.Equal(ExitCodes.Success, renewed.Exit);
        Assert.NotEqual(first.AccessToken + "\n", renewed.Out);
        Assert.Equal(before + 1, Authority.TokenRequests);

        var list = await RunAsync("profiles");
        Assert.Matches(@"\nkeyring +\S+ +api offline_access +secret-service +valid until ", "\n" + list.Out);

        Assert.Equal(ExitCodes.Success, (await RunAsync("logout", "--profile", "keyring")).Exit);
        Assert.False((await Authority.IntrospectAsync(renewed.Out.TrimEnd('\n'))).Active);
        // What the keyring keeps after a logout is the signed-out mark, with no token in it.
        var kept = store.Vault.Read(store.PathOf(profile.Key));
        Assert.True(kept is null || Expect.Right(TokenFile.Read(kept).MapLeft(e => (PkceError)new PkceError.StoreFailure(e))).Tokens.IsNone);
        Assert.Equal(ExitCodes.LoginRequired, (await RunAsync("token", "--profile", "keyring")).Exit);
    }

    [Fact]
    public async Task A_dpop_profile_keeps_its_key_in_the_keyring_beside_its_tokens_and_nothing_secret_on_disk()
    {
        var login = await RunAsync("login", "--profile", "bound", "--token-store", "secret-service", "--dpop", "--issuer", Authority.Issuer.AbsoluteUri,
            "--client-id", Authority.Public.ClientId, "--scope", "api offline_access", "--redirect-uri", fixture.RedirectUri);
        Assert.True(login.Exit == ExitCodes.Success, login.Error);

        using var profiles = new Profiles(new StateDirectory(_state), Variable);
        var profile = profiles.Find("bound").IfLeft(p => throw new Xunit.Sdk.XunitException(p)).IfNone(() => throw new Xunit.Sdk.XunitException("no profile"));
        var keyPath = ProfileKeys.PathOf(profiles.Directory, "bound");
        var item = profiles.TokensOf(profile).Vault.Read(keyPath) ?? throw new Xunit.Sdk.XunitException("no key in the keyring");
        Assert.False(File.Exists(keyPath));
        string secret;
        using (var json = System.Text.Json.JsonDocument.Parse(item)) secret = json.RootElement.GetProperty("pkcs8").GetString()!;
        foreach (var file in Directory.EnumerateFiles(_state, "*", SearchOption.AllDirectories))
            Assert.DoesNotContain(secret, File.ReadAllText(file));
        var tokens = (await Expect.Right(profiles.TokensOf(profile).Load(profile.Key, default))).Tokens.IfNone(() => throw new InvalidOperationException());
        Assert.Equal(profile.Dpop!.Thumbprint, (await Authority.IntrospectAsync(tokens.AccessToken)).ConfirmationThumbprint);

        var headers = await RunAsync("token", "--profile", "bound", "--header", "--method", "GET", "--url", Authority.DpopApiEndpoint.AbsoluteUri);
        Assert.True(headers.Exit == ExitCodes.Success, headers.Error);
        Assert.DoesNotContain(secret, headers.Out + headers.Error + login.Out + login.Error);
        using var api = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Authority.DpopApiEndpoint);
        foreach (var line in headers.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            request.Headers.TryAddWithoutValidation(line[..line.IndexOf(':')], line[(line.IndexOf(':') + 1)..].Trim());
        using var response = await api.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());

        var refreshed = await RunAsync("refresh", "--profile", "bound");
        Assert.True(refreshed.Exit == ExitCodes.Success, refreshed.Error);
        Assert.Equal(profile.Dpop.Thumbprint, (await Authority.IntrospectAsync(refreshed.Out.TrimEnd('\n'))).ConfirmationThumbprint);
    }
}
