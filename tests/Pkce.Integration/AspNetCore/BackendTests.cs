using System.Net;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Pkce.AspNetCore;
using Pkce.Integration.Stores;
using Pkce.LocalAuthority;

namespace Pkce.Integration.AspNetCore;

/// <summary>The same connection over the other ways an app sets Pkce up: Redis stores, discovery, its own error page.</summary>
[Collection(RedisCollection.Name)]
public sealed class BackendTests(RedisServer redis)
{
    [Fact]
    public async Task A_connection_kept_in_redis_is_used_by_a_second_instance_of_the_app()
    {
        var port = Ports.Free();
        var other = Ports.Free();
        await using var authority = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions
        {
            RedirectUris = [$"http://127.0.0.1:{port}/connect/local/callback", $"http://127.0.0.1:{other}/connect/local/callback"],
        });
        var keys = Directory.CreateTempSubdirectory("pkce-keys-");
        try
        {
            // Two instances share Redis and Data Protection keys, as a web farm does.
            void Farm(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder, PkceBuilder pkce)
            {
                pkce.UseRedis(redis.Configuration);
                builder.Services.AddDataProtection().SetApplicationName("pkce-farm").PersistKeysToFileSystem(keys);
            }
            await using var first = await ConnectApp.StartAsync(authority, port, null, Farm);
            using var browser = first.Browser("alice");
            (await ConnectFlow.ConnectAsync(browser)).Dispose();
            await using var second = await ConnectApp.StartAsync(authority, other,
                new Dictionary<string, string?> { ["Pkce:Providers:local:RedirectUri"] = $"http://127.0.0.1:{other}/connect/local/callback" }, Farm);
            using var sameUser = second.Browser("alice");
            Assert.Equal("200 {\"sub\":\"test-user\"}", await sameUser.GetStringAsync("call"));
            Assert.Equal(1, authority.TokenRequests);
        }
        finally
        {
            keys.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_provider_given_only_its_issuer_is_discovered_and_connects()
    {
        var port = Ports.Free();
        await using var authority = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions { RedirectUris = [$"http://127.0.0.1:{port}/connect/local/callback"] });
        var settings = new Dictionary<string, string?>
        {
            ["Pkce:Providers:local:RootUrl"] = null,
            ["Pkce:Providers:local:RevocationEndpoint"] = null,
            ["Pkce:Providers:local:Issuer"] = authority.Issuer.ToString(),
        };
        await using var app = await ConnectApp.StartAsync(authority, port, settings);
        using var browser = app.Browser("alice");
        using var done = await ConnectFlow.ConnectAsync(browser);
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal("200 {\"sub\":\"test-user\"}", await browser.GetStringAsync("call"));
    }

    [Fact]
    public async Task The_app_replaces_the_error_page()
    {
        var port = Ports.Free();
        await using var authority = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions { RedirectUris = [$"http://127.0.0.1:{port}/connect/local/callback"] });
        await using var app = await ConnectApp.StartAsync(authority, port, null, (builder, _) =>
            builder.Services.Configure<PkceAspNetCoreOptions>(options => options.ErrorPage = (context, failure) => context.Response.WriteAsync($"our page: {failure.Provider} {failure.ErrorCode}")));
        using var browser = app.Browser("alice");
        using var page = await browser.GetAsync("connect/local/callback?state=unknown-state-0123456789&code=x");
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.StartsWith("our page: local state_", await page.Content.ReadAsStringAsync());
    }
}
