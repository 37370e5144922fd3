using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Pkce.AspNetCore;
using Pkce.LocalAuthority;

namespace Pkce.Integration.AspNetCore;

/// <summary>A provider with UseDpop: the connection's tokens are bound to the provider's key, kept in the store, and the user API client proves possession.</summary>
public sealed class DpopConnectTests
{
    [Fact]
    public async Task A_dpop_provider_connects_with_a_bound_token_and_the_user_api_client_sends_proofs()
    {
        var port = Ports.Free();
        await using var authority = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions
        {
            RedirectUris = [$"http://127.0.0.1:{port}/connect/local/callback"],
            RequireDpop = true,
            RequireDpopNonce = true,
            RequireDpopNonceAtApi = true,
        });
        var path = Path.Combine(Path.GetTempPath(), $"pkce-dpop-{Guid.NewGuid():N}.db");
        try
        {
            await using var app = await ConnectApp.StartAsync(authority, port, new Dictionary<string, string?> { ["Pkce:Providers:local:UseDpop"] = "true" },
                (_, pkce) => pkce.UseSqlite(path), new Uri(authority.Issuer, "api/dpop/"));
            using var browser = app.Browser("alice");
            using var done = await ConnectFlow.ConnectAsync(browser);
            Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
            var call = await browser.GetStringAsync("call");
            Assert.StartsWith("200 ", call);
            Assert.Contains("\"sub\":\"test-user\"", call);

            // The key is in the store, encrypted, and is the one the token is bound to; it never reaches a log.
            var stores = app.Services.GetRequiredService<PkceStores>();
            var holder = new TokenKey(UserKey.From("\0pkce-dpop-key").IfLeft(_ => throw new InvalidOperationException()), "\0pkce-dpop-key:local", "");
            var raw = await stores.Tokens.Load(holder, default).IfLeft(_ => throw new InvalidOperationException());
            var sealedEntry = raw.Tokens.IfNone(() => throw new InvalidOperationException("no DPoP key stored")).AccessToken;
            Assert.DoesNotContain("ES256:", sealedEntry);
            var statusJson = await browser.GetStringAsync("status");
            Assert.Contains("\"connected\":true", statusJson);
            Assert.DoesNotContain("ES256", string.Join("\n", app.Logs));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + "*")) File.Delete(file);
        }
    }
}
