using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Pkce.AspNetCore;
using Pkce.Facade;

namespace Pkce.WebSample;

/// <summary>
/// The sample's pages, as minimal API endpoints writing small HTML pages: home (sign-in state, the GitLab
/// connection, what its API says about the user), sign-in and sign-out of the one test account, and the page shown
/// when connecting fails. Every value shown is HTML-encoded; every form carries the antiforgery token.
/// </summary>
internal static class Pages
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Map(WebApplication app)
    {
        app.MapGet("/", Home);
        app.MapGet("/signin", SignInPage);
        app.MapPost("/signin", SignIn);
        app.MapPost("/signout", SignOut);
    }

    private static async Task Home(HttpContext context, PkceConnections connections, IHttpClientFactory clients, IAntiforgery antiforgery)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            await Write(context, StatusCodes.Status200OK, "<p id=\"user\">Not signed in. <a id=\"signin\" href=\"/signin\">Sign in</a></p>");
            return;
        }
        var token = AntiforgeryField(context, antiforgery);
        var connection = await connections.GetAsync(context, WebSampleHost.Provider, context.RequestAborted);
        var api = connection.Connected ? await CallApi(context, clients) : null;
        // Read again for the status line: the call may have renewed the access token.
        if (api is not null) connection = await connections.GetAsync(context, WebSampleHost.Provider, context.RequestAborted);
        var gitlab = api is null
            ? "<p id=\"status\">Not connected.</p>" +
              $"<p><a id=\"connect\" class=\"button\" href=\"/connect/{WebSampleHost.Provider}\">Connect GitLab</a></p>"
            : $"<p id=\"status\">Connected: scope <code>{E(connection.Scope ?? "(not said)")}</code>, access token valid until " +
              $"{E(connection.ExpiresAt?.ToString("u", CultureInfo.InvariantCulture) ?? "(not said)")}, refresh token: {(connection.CanRefresh ? "yes" : "no")}.</p>" +
              $"<h3>What the API returned for you</h3><p><code>GET {E(api.Url)}</code> → {E(api.Outcome)}</p><pre id=\"api\">{E(api.Text)}</pre>" +
              $"<form id=\"disconnect\" method=\"post\" action=\"/connect/{WebSampleHost.Provider}/disconnect\">{token}<button type=\"submit\">Disconnect</button></form>";
        await Write(context, StatusCodes.Status200OK,
            $"<form id=\"signout\" method=\"post\" action=\"/signout\">{token}<p id=\"user\">Signed in as <b>{E(context.User.Identity.Name ?? "")}</b> " +
            "<button type=\"submit\">Sign out</button></p></form>" +
            $"<section id=\"{WebSampleHost.Provider}\"><h2>GitLab</h2>{gitlab}</section>");
    }

    /// <summary>What the API answered, or null when the user must connect (again).</summary>
    private sealed record ApiAnswer(string Url, string Outcome, string Text);

    private static async Task<ApiAnswer?> CallApi(HttpContext context, IHttpClientFactory clients)
    {
        var client = clients.CreateClient(WebSampleHost.Provider);
        var url = client.BaseAddress?.AbsoluteUri ?? "";
        try
        {
            using var response = await client.GetAsync("", context.RequestAborted);
            var body = await response.Content.ReadAsStringAsync(context.RequestAborted);
            return new ApiAnswer(url, $"{(int)response.StatusCode} {response.ReasonPhrase}", Pretty(body));
        }
        catch (PkceNotConnectedException)
        {
            // Never connected, disconnected elsewhere, or the provider refused the refresh token: connect again.
            return null;
        }
        catch (Exception e) when (e is PkceException or HttpRequestException)
        {
            return new ApiAnswer(url, "failed", e.Message);
        }
    }

    private static string Pretty(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return JsonSerializer.Serialize(json.RootElement, Indented);
        }
        catch (JsonException)
        {
            return body;
        }
    }

    private static Task SignInPage(HttpContext context, IAntiforgery antiforgery) =>
        Write(context, StatusCodes.Status200OK, SignInForm(context, antiforgery, context.Request.Query["ReturnUrl"].ToString(), null));

    private static string SignInForm(HttpContext context, IAntiforgery antiforgery, string returnUrl, string? problem)
    {
        return "<h2>Sign in</h2>" +
               $"<p>This sample has one test account: user <code>{E(WebSampleHost.UserName)}</code>, password <code>{E(WebSampleHost.Password)}</code>.</p>" +
               (problem is null ? "" : $"<p id=\"problem\" class=\"error\">{E(problem)}</p>") +
               "<form method=\"post\" action=\"/signin\">" +
               AntiforgeryField(context, antiforgery) +
               $"<input type=\"hidden\" name=\"returnUrl\" value=\"{E(returnUrl)}\">" +
               "<p><label>User <input id=\"username\" name=\"username\" autocomplete=\"username\"></label></p>" +
               "<p><label>Password <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\"></label></p>" +
               "<p><button id=\"submit\" type=\"submit\">Sign in</button></p></form>";
    }

    private static async Task SignIn(HttpContext context, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            await Write(context, StatusCodes.Status400BadRequest, "<p class=\"error\">The form expired; <a href=\"/signin\">sign in again</a>.</p>");
            return;
        }
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var returnUrl = form["returnUrl"].ToString();
        if (form["username"] != WebSampleHost.UserName || form["password"] != WebSampleHost.Password)
        {
            await Write(context, StatusCodes.Status401Unauthorized, SignInForm(context, antiforgery, returnUrl, "Wrong user or password."));
            return;
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, WebSampleHost.UserName), new Claim(ClaimTypes.Name, WebSampleHost.UserName)],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(new ClaimsPrincipal(identity));
        context.Response.Redirect(IsLocal(returnUrl) ? returnUrl : "/");
    }

    private static async Task SignOut(HttpContext context, IAntiforgery antiforgery)
    {
        if (await antiforgery.IsRequestValidAsync(context)) await context.SignOutAsync();
        context.Response.Redirect("/");
    }

    /// <summary>
    /// Replaces the package's error page (<see cref="PkceAspNetCoreOptions.ErrorPage"/>) with one in the sample's look.
    /// The provider's own <c>error</c> (e.g. <c>access_denied</c> when the user said no) is shown beside the stable code,
    /// through <see cref="ServerText.Printable"/> like every string that came from a server.</summary>
    public static Task ErrorAsync(HttpContext context, PkceConnectFailure failure)
    {
        var error = failure.Error is PkceError.AuthorizationDenied denied ? ServerText.Printable(denied.Error) : "";
        return Write(context, context.Response.StatusCode,
            $"<h2>Connecting {E(failure.Provider)} failed</h2>" +
            $"<p id=\"pkce-error\" data-code=\"{E(failure.ErrorCode)}\" data-error=\"{E(error)}\"><code>{E(failure.ErrorCode)}</code>: {E(failure.Message)}</p>" +
            "<p><a href=\"/\">Back to the home page</a></p>");
    }

    /// <summary>A path of this app, never another site (<c>//host</c> and <c>/\host</c> are other sites to a browser).</summary>
    private static bool IsLocal(string url) =>
        url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);

    /// <summary>The hidden field with the request token; <see cref="IAntiforgery.GetAndStoreTokens"/> also sets its cookie.</summary>
    private static string AntiforgeryField(HttpContext context, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        return $"<input type=\"hidden\" name=\"{E(tokens.FormFieldName)}\" value=\"{E(tokens.RequestToken ?? "")}\">";
    }

    private static string E(string text) => Html.Encode(text);

    private static Task Write(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Pkce web sample</title><style>" +
            "body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#222}" +
            "pre{background:#f4f4f4;padding:1rem;overflow:auto}code{background:#f4f4f4;padding:0 .2rem}" +
            "a.button,button{display:inline-block;background:#fc6d26;color:#fff;border:0;border-radius:4px;padding:.4rem .9rem;text-decoration:none;font:inherit;cursor:pointer}" +
            "#signout button{background:#888}.error{color:#b00}</style></head><body><h1><a href=\"/\" style=\"color:inherit;text-decoration:none\">Pkce web sample</a></h1>" +
            body + "</body></html>", context.RequestAborted);
    }
}
