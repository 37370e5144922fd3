using Pkce.Cli;

namespace Pkce.Integration.OidcProvider;

/// <summary>The everyday loop of the <c>pkce</c> command against oidc-provider: login with discovery and a profile, token, refresh, logout.</summary>
[Collection(OidcProviderCollection.Name)]
public sealed class CliOidcProviderTests(OidcProviderFixture fixture) : IDisposable
{
    private readonly HttpClient _browser = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly string _state = Directory.CreateTempSubdirectory("pkce-state-").FullName;

    public void Dispose()
    {
        _browser.Dispose();
        Directory.Delete(_state, recursive: true);
    }

    /// <summary>Signs in through the provider's login and consent pages, then sends the browser to the command's callback.</summary>
    private OpenBrowser SignIn => async (url, ct) =>
    {
        var callback = await fixture.SignInAsync(url, "alice");
        _ = _browser.GetAsync(callback, ct).ContinueWith(t => { if (t.IsCompletedSuccessfully) t.Result.Dispose(); }, TaskScheduler.Default);
        return true;
    };

    private async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var terminal = new Terminal(stdout, stderr, ErrorIsTerminal: false)
        {
            Variable = name => name switch
            {
                StateDirectory.Variable => _state,
                "PKCE_CLIENT_SECRET" => OidcProviderFixture.Basic.ClientSecret,
                _ => null,
            },
        };
        var exit = await Commands.RunAsync(args, terminal, SignIn);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Login_with_discovery_then_token_refresh_and_logout_work_against_oidc_provider()
    {
        var login = await RunAsync("login", "--profile", "op", "--issuer", fixture.Metadata.Issuer, "--client-id", OidcProviderFixture.Basic.ClientId,
            "--scope", "api", "--redirect-uri", fixture.ListeningRedirectUri);
        Assert.True(login.Exit == ExitCodes.Success, login.Error);
        Assert.Equal("", login.Out);

        var token = await RunAsync("token", "--profile", "op");
        Assert.Equal(ExitCodes.Success, token.Exit);
        var first = token.Out.TrimEnd('\n');
        Assert.True((await fixture.IntrospectAsync(first)).GetProperty("active").GetBoolean());

        var refreshed = await RunAsync("refresh", "--profile", "op");
        Assert.True(refreshed.Exit == ExitCodes.Success, refreshed.Error);
        var second = (await RunAsync("token", "--profile", "op")).Out.TrimEnd('\n');
        Assert.NotEqual(first, second);
        Assert.True((await fixture.IntrospectAsync(second)).GetProperty("active").GetBoolean());

        var logout = await RunAsync("logout", "--profile", "op");
        Assert.True(logout.Exit == ExitCodes.Success, logout.Error);
        Assert.False((await fixture.IntrospectAsync(second)).GetProperty("active").GetBoolean());
        Assert.Equal(ExitCodes.LoginRequired, (await RunAsync("token", "--profile", "op")).Exit);
    }
}
