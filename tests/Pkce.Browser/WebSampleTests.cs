using System.Runtime.CompilerServices;
using Microsoft.Playwright;
using Pkce.WebSample;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Pkce.Browser;

/// <summary>
/// The web sample as a user meets it, in Chromium (and its health endpoint over plain HTTP): each test starts the sample and its local authority (consent
/// page on) in-process, clicks through, and checks what the page shows and what the authority saw (its token
/// request counter, introspection). A failing test saves a screenshot of every page it had open and prints the
/// paths and the sample's log.
/// </summary>
public sealed class WebSampleTests(Chromium chromium, ITestOutputHelper output) : IClassFixture<Chromium>
{
    /// <summary>Where screenshots go: beside the test assembly.</summary>
    public static string ScreenshotDirectory => Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Fact]
    public Task Signing_in_connecting_and_approving_shows_what_the_API_says_about_the_user() => Run(async scenario =>
    {
        var page = await scenario.SignedInPageAsync();
        await Expect(page.Locator("#connect")).ToHaveTextAsync("Connect GitLab");
        await page.ClickAsync("#connect");
        Assert.StartsWith(scenario.Authority.Issuer.AbsoluteUri, page.Url);
        await page.ClickAsync("#approve");

        var api = page.Locator("#api");
        await Expect(api).ToContainTextAsync("\"sub\": \"");
        await Expect(api).ToContainTextAsync($"\"client_id\": \"{scenario.Authority.Public.ClientId}\"");
        await Expect(page.Locator("#status")).ToContainTextAsync("refresh token: yes");
        await Expect(page.Locator("#disconnect button")).ToHaveTextAsync("Disconnect");
        Assert.Equal(new Uri(scenario.Sample.BaseUrl, "/").AbsoluteUri, page.Url);
        Assert.Equal(1, scenario.Authority.TokenRequests);
        Assert.True((await scenario.ConnectionAsync()).Connected);

        Directory.CreateDirectory(ScreenshotDirectory);
        var picture = Path.Combine(ScreenshotDirectory, "web-sample-connected.png");
        await page.ScreenshotAsync(new() { Path = picture, FullPage = true });
        output.WriteLine($"the connected page: {picture}");

        await page.ClickAsync("#signout button");
        await Expect(page.Locator("#user")).ToContainTextAsync("Not signed in");
    });

    [Fact]
    public Task Denying_at_the_consent_page_shows_access_denied_and_leaves_the_account_unconnected() => Run(async scenario =>
    {
        var page = await scenario.SignedInPageAsync();
        await page.ClickAsync("#connect");
        await page.ClickAsync("#deny");

        await Expect(page.Locator("#pkce-error")).ToHaveAttributeAsync("data-code", "authorization_denied");
        await Expect(page.Locator("#pkce-error")).ToHaveAttributeAsync("data-error", "access_denied");
        Assert.StartsWith(new Uri(scenario.Sample.BaseUrl, WebSampleHost.CallbackPath).AbsoluteUri, page.Url);
        await page.GotoAsync("/");
        await Expect(page.Locator("#connect")).ToBeVisibleAsync();
        Assert.Equal(0, scenario.Authority.TokenRequests);
        Assert.False((await scenario.ConnectionAsync()).Connected);
    });

    [Fact]
    public Task Two_tabs_connecting_at_once_both_end_on_the_connected_page() => Run(async scenario =>
    {
        var first = await scenario.SignedInPageAsync();
        var second = await first.Context.NewPageAsync();
        await first.GotoAsync($"/connect/{WebSampleHost.Provider}");
        await second.GotoAsync($"/connect/{WebSampleHost.Provider}");
        await Expect(first.Locator("#approve")).ToBeVisibleAsync();
        await Expect(second.Locator("#approve")).ToBeVisibleAsync();

        await Task.WhenAll(first.ClickAsync("#approve"), second.ClickAsync("#approve"));

        await Expect(first.Locator("#api")).ToContainTextAsync("\"client_id\"");
        await Expect(second.Locator("#api")).ToContainTextAsync("\"client_id\"");
        Assert.Equal(2, scenario.Authority.TokenRequests);
        Assert.True((await scenario.ConnectionAsync()).Connected);
    });

    [Fact]
    public Task Going_back_and_replaying_the_callback_after_connecting_is_refused_without_a_token_request() => Run(async scenario =>
    {
        var page = await scenario.SignedInPageAsync();
        var callbacks = new List<string>();
        page.Request += (_, request) =>
        {
            if (new Uri(request.Url).AbsolutePath == WebSampleHost.CallbackPath) callbacks.Add(request.Url);
        };
        await Scenario.ConnectAsync(page);
        var callback = Assert.Single(callbacks);
        Assert.Equal(1, scenario.Authority.TokenRequests);

        // Back: the history holds the consent page, not the callback (it answered with a redirect); either way
        // nothing reaches the token endpoint.
        await page.GoBackAsync();
        output.WriteLine($"back at {page.Url}: {await page.TitleAsync()}");
        Assert.StartsWith(scenario.Authority.Issuer.AbsoluteUri, page.Url);
        Assert.Equal(1, scenario.Authority.TokenRequests);

        // The callback URL itself, again, in the browser that completed it: its state was used up.
        await page.GotoAsync(callback);
        await Expect(page.Locator("#pkce-error")).ToHaveAttributeAsync("data-code", "state_replayed");
        Assert.Equal(1, scenario.Authority.TokenRequests);
        await page.GotoAsync("/");
        await Expect(page.Locator("#api")).ToBeVisibleAsync();
    });

    [Fact]
    public Task The_callback_opened_in_another_browser_is_refused_without_a_token_request() => Run(async scenario =>
    {
        var started = await scenario.SignedInPageAsync();
        // The browser that started the flow never reaches the callback: the test takes its URL from the
        // authority's redirect instead, as a leaked link (a log, a referrer, a shoulder) would give it to someone
        // else. (Playwright's routes do not see the targets of redirects, so the redirect itself is held.)
        var callback = new TaskCompletionSource<string>();
        var authority = scenario.Authority.Issuer.AbsoluteUri;
        await started.Context.RouteAsync(url => url.StartsWith(authority, StringComparison.Ordinal), async route =>
        {
            var response = await route.FetchAsync(new() { MaxRedirects = 0 });
            if (response.Headers.TryGetValue("location", out var location) && location.Contains(WebSampleHost.CallbackPath, StringComparison.Ordinal))
            {
                callback.TrySetResult(location);
                await route.FulfillAsync(new() { Status = 200, ContentType = "text/plain", Body = "held by the test" });
            }
            else
                await route.FulfillAsync(new() { Response = response });
        });
        await started.ClickAsync("#connect");
        await started.ClickAsync("#approve");
        var url = await callback.Task.WaitAsync(TimeSpan.FromSeconds(15));

        // Another browser, signed in as the same user.
        var other = await scenario.SignedInPageAsync();
        await other.GotoAsync(url);
        await Expect(other.Locator("#pkce-error")).ToHaveAttributeAsync("data-code", "wrong_user");
        Assert.Equal(0, scenario.Authority.TokenRequests);
        Assert.False((await scenario.ConnectionAsync()).Connected);
    });

    [Fact]
    public Task An_expired_access_token_is_refreshed_once_and_the_page_still_shows_the_API_data() => Run(["--Sample:AccessTokenLifetime=00:00:06"], async scenario =>
    {
        var page = await scenario.SignedInPageAsync();
        await Scenario.ConnectAsync(page);
        var before = await page.Locator("#api").TextContentAsync();
        var requests = scenario.Authority.TokenRequests;
        var expiresAt = (await scenario.ConnectionAsync()).ExpiresAt ?? throw new InvalidOperationException("no expiry stored");

        var wait = expiresAt - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        await page.ReloadAsync();

        await Expect(page.Locator("#api")).ToContainTextAsync($"\"client_id\": \"{scenario.Authority.Public.ClientId}\"");
        Assert.NotEqual(before, await page.Locator("#api").TextContentAsync());
        Assert.Equal(requests + 1, scenario.Authority.TokenRequests);
        Assert.True((await scenario.ConnectionAsync()).ExpiresAt > DateTimeOffset.UtcNow);
    });

    [Fact]
    public Task Disconnecting_revokes_the_access_token_at_the_authority() => Run(async scenario =>
    {
        var page = await scenario.SignedInPageAsync();
        await Scenario.ConnectAsync(page);
        var token = scenario.ApiTokens.Last();
        Assert.True((await scenario.Authority.IntrospectAsync(token)).Active);

        await page.ClickAsync("#disconnect button");

        await Expect(page.Locator("#connect")).ToBeVisibleAsync();
        Assert.False((await scenario.Authority.IntrospectAsync(token)).Active);
        Assert.False((await scenario.ConnectionAsync()).Connected);
    });

    [Fact]
    public async Task With_provider_settings_in_configuration_the_sample_uses_them_and_starts_no_authority()
    {
        // Another authority stands in for GitLab, configured the way appsettings.GitLab.json configures GitLab:
        // a root URL with endpoint paths, a confidential client this time.
        var port = Ports.Free();
        var redirectUri = $"http://127.0.0.1:{port}{WebSampleHost.CallbackPath}";
        await using var provider = await LocalAuthority.LocalAuthority.StartAsync(new() { RedirectUris = [redirectUri], RequireConsent = true });
        const string gitlab = $"--Pkce:Providers:{WebSampleHost.Provider}:";
        string[] settings =
        [
            $"--Sample:Port={port}", $"--Sample:ApiUrl={provider.ApiEndpoint}",
            $"{gitlab}RootUrl={provider.Issuer}", $"{gitlab}AuthorizationPath=connect/authorize", $"{gitlab}TokenPath=connect/token",
            $"{gitlab}RevocationEndpoint={provider.RevocationEndpoint}", $"{gitlab}RedirectUri={redirectUri}", $"{gitlab}Scope=api offline_access",
            $"{gitlab}ClientId={provider.Basic.ClientId}", $"{gitlab}ClientSecret={provider.Basic.ClientSecret}",
        ];
        await Run(settings, async scenario =>
        {
            Assert.Null(scenario.Sample.Authority);
            var page = await scenario.SignedInPageAsync();
            await Scenario.ConnectAsync(page);
            await Expect(page.Locator("#api")).ToContainTextAsync($"\"client_id\": \"{provider.Basic.ClientId}\"");
            Assert.Equal(1, provider.TokenRequests);
        });
    }

    [Fact]
    public Task The_health_endpoint_reports_the_stores_healthy() => Run(async scenario =>
    {
        using var http = new HttpClient { BaseAddress = scenario.Sample.BaseUrl };
        using var response = await http.GetAsync("/health");
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    });

    private Task Run(Func<Scenario, Task> test, [CallerMemberName] string name = "") => Run([], test, name);

    /// <summary>Runs <paramref name="test"/> against a sample started with <paramref name="settings"/>; on failure, screenshots and the log.</summary>
    private async Task Run(string[] settings, Func<Scenario, Task> test, [CallerMemberName] string name = "")
    {
        await using var scenario = await Scenario.StartAsync(chromium.Browser, settings);
        try
        {
            await test(scenario);
        }
        catch
        {
            Directory.CreateDirectory(ScreenshotDirectory);
            var n = 0;
            foreach (var page in scenario.Pages.ToList())
            {
                var path = Path.Combine(ScreenshotDirectory, $"{name}-{++n}.png");
                try
                {
                    await page.ScreenshotAsync(new() { Path = path, FullPage = true });
                    output.WriteLine($"screenshot of {page.Url}: {path}");
                }
                catch (PlaywrightException e)
                {
                    output.WriteLine($"no screenshot of {page.Url}: {e.Message}");
                }
            }
            output.WriteLine("the sample's log:");
            foreach (var line in scenario.Log.Lines) output.WriteLine(line);
            throw;
        }
    }
}
