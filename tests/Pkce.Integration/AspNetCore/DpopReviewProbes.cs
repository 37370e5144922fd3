using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Pkce.AspNetCore;
using Pkce.LocalAuthority;

namespace Pkce.Integration.AspNetCore;

/// <summary>
/// Review 14 probes of Pkce.AspNetCore with DPoP: the user API client and the provider's key in the token store.
/// A failing test is a finding. The API and the other origin are scripted hosts on 127.0.0.1.
/// </summary>
public sealed class DpopReviewProbes
{
    private static async Task<(LocalAuthority.LocalAuthority Authority, int Port)> AuthorityAsync(bool dpop)
    {
        var port = Ports.Free();
        var authority = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions
        {
            RedirectUris = [$"http://127.0.0.1:{port}/connect/local/callback"],
            RequireDpop = dpop,
        });
        return (authority, port);
    }

    /// <summary>An API at one origin that sends every request on to <paramref name="evil"/> (another origin).</summary>
    private static void RedirectTo(TokenEndpointHost api, TokenEndpointHost evil) => api.Respond = c =>
    {
        c.Response.StatusCode = 302;
        c.Response.Headers.Location = new Uri(evil.BaseAddress, "me").AbsoluteUri;
        return Task.CompletedTask;
    };

    [Fact]
    public async Task The_user_api_client_never_sends_a_dpop_token_to_an_origin_the_api_redirected_to()
    {
        var (authority, port) = await AuthorityAsync(dpop: true);
        await using var _1 = authority;
        await using var api = await TokenEndpointHost.StartAsync();
        await using var evil = await TokenEndpointHost.StartAsync();
        RedirectTo(api, evil);
        evil.Respond = c =>
        {
            c.Response.StatusCode = 401;
            c.Response.Headers.WWWAuthenticate = "DPoP error=\"use_dpop_nonce\"";
            c.Response.Headers["DPoP-Nonce"] = "evil-nonce";
            return Task.CompletedTask;
        };
        await using var app = await ConnectApp.StartAsync(authority, port, new Dictionary<string, string?> { ["Pkce:Providers:local:UseDpop"] = "true" }, apiBase: api.BaseAddress);
        using var browser = app.Browser("alice");
        using var done = await ConnectFlow.ConnectAsync(browser);
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        await browser.GetStringAsync("call");

        var leaked = evil.Received.Where(r => r.Authorization is not null).Select(r => r.Authorization!).ToList();
        Assert.True(leaked.Count == 0, $"the user's token went to {evil.BaseAddress} (the API is {api.BaseAddress}): {string.Join(" | ", leaked.Select(l => l[..Math.Min(40, l.Length)]))}");
    }

    /// <summary>The same 401 path without DPoP: a refreshed bearer token, usable by whoever receives it.</summary>
    [Fact]
    public async Task The_user_api_client_never_sends_a_refreshed_bearer_token_to_an_origin_the_api_redirected_to()
    {
        var (authority, port) = await AuthorityAsync(dpop: false);
        await using var _1 = authority;
        await using var api = await TokenEndpointHost.StartAsync();
        await using var evil = await TokenEndpointHost.StartAsync();
        RedirectTo(api, evil);
        evil.Respond = c =>
        {
            c.Response.StatusCode = 401;
            return Task.CompletedTask;
        };
        await using var app = await ConnectApp.StartAsync(authority, port, apiBase: api.BaseAddress);
        using var browser = app.Browser("alice");
        using var done = await ConnectFlow.ConnectAsync(browser);
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        await browser.GetStringAsync("call");

        var leaked = evil.Received.Where(r => r.Authorization is not null).Select(r => r.Authorization!).ToList();
        var usable = new List<string>();
        foreach (var header in leaked)
            if (header.StartsWith("Bearer ", StringComparison.Ordinal) && (await authority.IntrospectAsync(header["Bearer ".Length..])).Active)
                usable.Add(header[..Math.Min(40, header.Length)]);
        Assert.True(leaked.Count == 0, $"{leaked.Count} token(s) went to {evil.BaseAddress}, {usable.Count} of them active bearer tokens: {string.Join(" | ", usable)}");
    }

    /// <summary>
    /// The provider's key is the "tokens" of user key "\0pkce-dpop-key", resource = provider, scope "". UserKey
    /// accepts any string, so an app whose user ids can hold that value, with a provider configured without a scope,
    /// has a user whose "access token" is the private key: the user API client sends it to the API as a bearer token
    /// (and a disconnect would send it to the revocation endpoint, then replace it with a signed-out mark).
    /// </summary>
    [Fact]
    public async Task No_app_user_can_reach_the_providers_dpop_key_entry()
    {
        var (authority, port) = await AuthorityAsync(dpop: true);
        await using var _1 = authority;
        await using var app = await ConnectApp.StartAsync(authority, port,
            new Dictionary<string, string?> { ["Pkce:Providers:local:UseDpop"] = "true", ["Pkce:Providers:local:Scope"] = "" },
            (builder, _) => builder.Services.Configure<PkceAspNetCoreOptions>(o =>
            {
                var usual = o.UserId;
                // An app whose user ids are what its users signed up with (a user name, an external subject).
                o.UserId = context => usual(context) is "nul-user" ? "\0pkce-dpop-key" : usual(context);
            }));
        using var alice = app.Browser("alice");
        await alice.GetStringAsync("call"); // makes the provider's key (first use)
        using var mallory = app.Browser("nul-user");
        var status = await mallory.GetStringAsync("status");
        var call = await mallory.GetStringAsync("call");
        var sent = app.ApiTokens.ToList();
        Assert.True(sent.TrueForAll(t => !t.StartsWith("ES256:", StringComparison.Ordinal)),
            $"status: {status}; call: {call[..Math.Min(60, call.Length)]}; the API received the private key as a bearer token: {sent.FirstOrDefault()?[..30]}...");
    }
}
