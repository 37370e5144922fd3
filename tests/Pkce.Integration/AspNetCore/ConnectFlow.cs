using System.Net;

namespace Pkce.Integration.AspNetCore;

/// <summary>Plays a browser through a connection: start at the app, the authority's redirect, the callback.</summary>
internal static class ConnectFlow
{
    /// <summary>GET the start endpoint; the 302's target (the authorization URL).</summary>
    public static async Task<Uri> StartAsync(HttpClient browser, string provider = "local")
    {
        using var start = await browser.GetAsync($"connect/{provider}");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        return start.Headers.Location!;
    }

    /// <summary>What the authority redirects the browser to (the callback URL with code and state).</summary>
    public static async Task<Uri> AuthorizeAsync(HttpClient browser, Uri authorizationUrl)
    {
        using var answer = await browser.GetAsync(authorizationUrl);
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        return answer.Headers.Location!;
    }

    /// <summary>The whole connection; returns the callback's answer (302 to the return path when it worked).</summary>
    public static async Task<HttpResponseMessage> ConnectAsync(HttpClient browser)
    {
        var callback = await AuthorizeAsync(browser, await StartAsync(browser));
        return await browser.GetAsync(callback);
    }
}
