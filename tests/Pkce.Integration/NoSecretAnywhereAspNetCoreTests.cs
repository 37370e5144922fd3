using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Pkce.Integration.AspNetCore;
using Pkce.Integration.NoSecret;
using Pkce.LocalAuthority;

namespace Pkce.Integration;

/// <summary>
/// No secret anywhere, ASP.NET Core: an app on 127.0.0.1 logging everything at Trace, driven by browsers through
/// connecting, each refusal of a callback, a provider that fails or echoes what it was sent, the user API client
/// (with a refresh after a 401, and with DPoP and the API's nonce), and disconnecting. Every log event (with its
/// exception's ToString) and every answer the app gives a browser is searched. The secrets are recorded as the app
/// handles them: the verifier as it is stored, the tokens and the provider's DPoP key as they are written (decrypted
/// with the app's own keys), the code from the callback URL.
/// </summary>
public sealed class NoSecretAnywhereAspNetCoreTests
{
    private readonly SecretLedger _ledger = new();

    [Fact]
    public async Task No_log_page_or_exception_of_the_connect_endpoints_shows_a_secret()
    {
        await ConnectAsync(dpop: false);
        await ConnectAsync(dpop: true);
        _ledger.AssertNoLeak("client secret", "code verifier", "authorization code", "access token", "refresh token", "DPoP private key");
    }

    private async Task ConnectAsync(bool dpop)
    {
        var port = Ports.Free();
        await using var authority = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions
        {
            RedirectUris = [$"http://127.0.0.1:{port}/connect/local/callback"],
            RequireDpop = dpop,
            RequireDpopNonce = dpop,
            RequireDpopNonceAtApi = dpop,
        });
        // The bearer app reaches the provider through a proxy that can turn hostile; DPoP proofs name the server itself.
        await using var proxy = await RecordingProxy.StartAsync(authority.Issuer, _ledger);
        var root = dpop ? authority.Issuer : proxy.BaseAddress;
        var settings = new Dictionary<string, string?>
        {
            ["Pkce:Providers:local:RootUrl"] = root.AbsoluteUri,
            ["Pkce:Providers:local:RevocationEndpoint"] = new Uri(root, "connect/revoke").AbsoluteUri,
            ["Pkce:Providers:local:UseDpop"] = dpop ? "true" : "false",
        };
        await using var app = await ConnectApp.StartAsync(authority, port, settings, (builder, _) =>
        {
            RecordingStores.Record(builder.Services, _ledger);
            builder.Services.Configure<Pkce.AspNetCore.PkceAspNetCoreOptions>(options => options.MaxStartsPerUser = 1000);
        },
            dpop ? new Uri(authority.Issuer, "api/dpop/") : null);
        _ledger.Secret("client secret", authority.Basic.ClientSecret);
        var cookies = new CookieContainer();
        using var alice = Browser(app, "alice", cookies);
        using var elsewhere = Browser(app, "alice", new CookieContainer());
        using var bob = Browser(app, "bob", cookies);
        using var authorityBrowser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

        async Task<string> CallbackAsync(HttpClient browser)
        {
            using var started = await browser.GetAsync("connect/local");
            var authorization = started.Headers.Location ?? throw new Xunit.Sdk.XunitException($"the start answered {(int)started.StatusCode}");
            using var answer = await authorityBrowser.GetAsync(authorization);
            var callback = answer.Headers.Location?.OriginalString ?? throw new Xunit.Sdk.XunitException($"the authority answered {(int)answer.StatusCode}");
            _ledger.Secret("authorization code", QueryString.Parse(new Uri(callback).Query).Find(p => p.Name == "code").Map(p => p.Value).IfNoneUnsafe((string?)null));
            return callback;
        }

        // Connect, call the API (again after a 401 that makes the app refresh), the status, the health check.
        var callback = await CallbackAsync(alice);
        Assert.Equal(HttpStatusCode.Redirect, (await alice.GetAsync(callback)).StatusCode);
        Assert.StartsWith("200 ", await alice.GetStringAsync("call"));
        app.RefuseNextApiCalls = 1;
        await alice.GetStringAsync("call");
        await alice.GetStringAsync("status");
        await alice.GetAsync("health");

        // Each refusal: the same callback again, a forged state, another browser, another user, a cross-site start.
        await alice.GetAsync(callback);
        await alice.GetAsync((await CallbackAsync(alice)).Replace("state=", "state=forged"));
        await elsewhere.GetAsync(await CallbackAsync(alice));
        await bob.GetAsync(await CallbackAsync(alice));
        using (var crossSite = new HttpRequestMessage(HttpMethod.Get, "connect/local"))
        {
            crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
            await alice.SendAsync(crossSite);
        }

        // The provider: denying, failing, and (through the proxy) answering each token request with what it was sent.
        authority.DenyAuthorizations = true;
        await alice.GetAsync(await CallbackAsync(alice));
        authority.DenyAuthorizations = false;
        authority.TokenEndpointFails = true;
        await alice.GetAsync(await CallbackAsync(alice));
        authority.TokenEndpointFails = false;
        if (!dpop)
            foreach (var (_, answer) in HostileEndpoint.Answers)
            {
                proxy.Tamper = async context =>
                {
                    if (context.Request.Path.Value != "/connect/token") return false;
                    await answer(await HostileEndpoint.EchoOf(context))(context);
                    return true;
                };
                await alice.GetAsync(await CallbackAsync(alice));
                await alice.GetAsync("call");
                proxy.Tamper = null;
            }

        // Connected again, then disconnect: without the antiforgery token, then with it; then the API is not reachable.
        Assert.Equal(HttpStatusCode.Redirect, (await alice.GetAsync(await CallbackAsync(alice))).StatusCode);
        await alice.GetStringAsync("call");
        await alice.PostAsync("connect/local/disconnect", new FormUrlEncodedContent([]));
        var antiforgery = await alice.GetStringAsync("antiforgery");
        Assert.Equal(HttpStatusCode.Redirect,
            (await alice.PostAsync("connect/local/disconnect", new FormUrlEncodedContent([KeyValuePair.Create("__RequestVerificationToken", antiforgery)]))).StatusCode);
        Assert.Contains("not connected", await alice.GetStringAsync("call"));

        foreach (var line in app.Logs) _ledger.Shown("the app's log", line);
        Assert.Contains(app.Logs, line => line.Contains(" Trace ", StringComparison.Ordinal));
    }

    private HttpClient Browser(ConnectApp app, string user, CookieContainer cookies)
    {
        var browser = RecordingStores.Browser(_ledger, app.Address, cookies);
        browser.DefaultRequestHeaders.Add(ConnectApp.UserHeader, user);
        return browser;
    }
}
