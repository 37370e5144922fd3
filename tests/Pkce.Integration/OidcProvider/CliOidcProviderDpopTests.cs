using System.Net;
using Pkce.Cli;

namespace Pkce.Integration.OidcProvider;

/// <summary>
/// <c>pkce login --dpop --profile</c> against oidc-provider started with <c>--dpop-nonce</c> (RFC 9449 §8, §9): the
/// token endpoint's nonces are answered within each request, the tokens are bound to the profile's key, a refresh
/// keeps the binding, the API's own nonce goes in with <c>--dpop-nonce</c>, and logout revokes without a proof.
/// </summary>
[Collection(OidcProviderDpopNonceCollection.Name)]
public sealed class CliOidcProviderDpopTests(OidcProviderDpopNonceFixture fixture) : IDisposable
{
    private readonly HttpClient _browser = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly HttpClient _api = new();
    private readonly string _state = Directory.CreateTempSubdirectory("pkce-state-").FullName;

    public void Dispose()
    {
        _browser.Dispose();
        _api.Dispose();
        Directory.Delete(_state, recursive: true);
    }

    private OpenBrowser SignIn => async (url, ct) =>
    {
        var callback = await fixture.SignInAsync(url, "alice");
        _ = _browser.GetAsync(callback, ct).ContinueWith(t => { if (t.IsCompletedSuccessfully) t.Result.Dispose(); }, TaskScheduler.Default);
        return true;
    };

    private async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var terminal = new Terminal(stdout, stderr, ErrorIsTerminal: false) { Variable = name => name == StateDirectory.Variable ? _state : null };
        var exit = await Commands.RunAsync(args, terminal, SignIn);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private async Task<HttpResponseMessage> CallAsync(string headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, fixture.DpopApiEndpoint);
        foreach (var line in headers.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            request.Headers.TryAddWithoutValidation(line[..line.IndexOf(':')], line[(line.IndexOf(':') + 1)..].Trim());
        return await _api.SendAsync(request);
    }

    [Fact]
    public async Task Login_refresh_api_call_and_logout_of_a_dpop_profile_work_against_oidc_provider_with_nonces()
    {
        var login = await RunAsync("login", "--profile", "op", "--dpop", "--issuer", fixture.Metadata.Issuer, "--client-id", OidcProviderFixture.Public.ClientId,
            "--scope", "openid offline_access", "--redirect-uri", fixture.ListeningRedirectUri);
        Assert.True(login.Exit == ExitCodes.Success, login.Error);
        Profile profile;
        using (var profiles = new Profiles(new StateDirectory(_state), _ => null))
            profile = profiles.Find("op").IfLeft(p => throw new Xunit.Sdk.XunitException(p)).IfNone(() => throw new Xunit.Sdk.XunitException("no profile"));
        var first = (await RunAsync("token", "--profile", "op")).Out.TrimEnd('\n');
        Assert.Equal((profile.Dpop!.Thumbprint, "DPoP"), await fixture.ConfirmationAsync(first));

        var refreshed = await RunAsync("refresh", "--profile", "op");
        Assert.True(refreshed.Exit == ExitCodes.Success, refreshed.Error);
        var second = refreshed.Out.TrimEnd('\n');
        Assert.NotEqual(first, second);
        Assert.Equal((profile.Dpop.Thumbprint, "DPoP"), await fixture.ConfirmationAsync(second));

        var url = fixture.DpopApiEndpoint.AbsoluteUri;
        var headers = await RunAsync("token", "--profile", "op", "--header", "--method", "GET", "--url", url);
        Assert.True(headers.Exit == ExitCodes.Success, headers.Error);
        using (var asked = await CallAsync(headers.Out))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, asked.StatusCode);
            var nonce = asked.Headers.GetValues("DPoP-Nonce").Single();
            var again = await RunAsync("token", "--profile", "op", "--header", "--method", "GET", "--url", url, "--dpop-nonce", nonce);
            using var answered = await CallAsync(again.Out);
            Assert.True(answered.IsSuccessStatusCode, await answered.Content.ReadAsStringAsync());
            Assert.Contains(profile.Dpop.Thumbprint, await answered.Content.ReadAsStringAsync());
        }

        var logout = await RunAsync("logout", "--profile", "op");
        Assert.True(logout.Exit == ExitCodes.Success, logout.Error);
        Assert.Contains("pkce: revoked the tokens of profile op at the server (RFC 7009) and deleted them", logout.Error);
        Assert.False((await fixture.IntrospectAsync(second)).GetProperty("active").GetBoolean());
    }
}
