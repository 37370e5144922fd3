using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using OpenIddict.Abstractions;

namespace Pkce.LocalAuthority;

/// <summary>
/// The consent step of <see cref="LocalAuthorityOptions.RequireConsent"/>: a page that names the client and the
/// scopes, with Approve and Deny buttons that post the original authorization request back to the authorization
/// endpoint (OpenIddict accepts an authorization request as a form POST, RFC 6749 §3.1: "MUST support the use of the
/// HTTP GET method ... MAY support the use of the POST method") with a <c>decision</c> field added.
/// </summary>
/// <remarks>
/// Cross-site request forgery: without a guard, any page the user visits could auto-submit
/// <c>decision=approve</c> and obtain a code for a request of its making. The guard is ASP.NET Core antiforgery
/// (double submit): the page sets a cookie and embeds a matching token, both protected with this instance's
/// ephemeral Data Protection keys. Another origin can make the browser send the cookie (not even that: it is
/// SameSite=Strict) but cannot read the page to learn the token, so a POST without both is answered 400 before any
/// code is issued. Antiforgery also sends <c>X-Frame-Options: SAMEORIGIN</c>, so the page cannot be framed to
/// trick a click (clickjacking), and <c>Cache-Control: no-store</c>.
/// </remarks>
internal static class ConsentPage
{
    /// <summary>The form field that carries the user's answer.</summary>
    public const string DecisionField = "decision";

    /// <summary>The one value of <see cref="DecisionField"/> that approves; anything else denies.</summary>
    public const string Approve = "approve";

    /// <summary>Registers antiforgery with keys that live and die with this process (none written to disk).</summary>
    public static void AddConsentServices(this IServiceCollection services)
    {
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddAntiforgery();
    }

    /// <summary>
    /// Shows the page for a new request (a GET, or a POST without <see cref="DecisionField"/>); for an answer,
    /// checks the antiforgery token, then signs in or denies.
    /// </summary>
    public static async Task<IResult> Handle(HttpContext context, OpenIddictRequest request)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : null;
        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        if (form is null || !form.ContainsKey(DecisionField))
        {
            var tokens = antiforgery.GetAndStoreTokens(context);
            IEnumerable<KeyValuePair<string, StringValues>> sent = form ?? (IEnumerable<KeyValuePair<string, StringValues>>)context.Request.Query;
            var parameters = sent.Where(p => p.Key != tokens.FormFieldName)
                .SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v ?? "")));
            var html = Render(context.Request.PathBase + context.Request.Path, request, parameters, tokens);
            return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8);
        }
        if (!await antiforgery.IsRequestValidAsync(context))
            return Results.Text("The consent form was not sent from the consent page (antiforgery token missing or invalid).",
                "text/plain; charset=utf-8", Encoding.UTF8, StatusCodes.Status400BadRequest);
        return form[DecisionField] == Approve
            ? AuthorizationResults.SignIn(request)
            : AuthorizationResults.Denied("The user denied consent.");
    }

    /// <summary>
    /// The page. Every value that came from the request is HTML-encoded, attribute and text alike: <c>state</c> and
    /// the rest are the client's (or an attacker's) strings.
    /// </summary>
    public static string Render(string action, OpenIddictRequest request, IEnumerable<KeyValuePair<string, string>> parameters, AntiforgeryTokenSet tokens)
    {
        static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");
        var scopes = request.GetScopes();
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Consent</title>");
        html.Append("<style>body{font-family:sans-serif;max-width:32em;margin:3em auto}button{font-size:1.1em;margin-right:1em}</style>");
        html.Append("</head><body>\n<h1>Allow access?</h1>\n");
        html.Append($"<p>The application <strong id=\"client\">{E(request.ClientId)}</strong> asks to act for ");
        html.Append($"<strong id=\"subject\">{E(AuthorizationResults.Subject(request))}</strong> with these scopes:</p>\n<ul id=\"scopes\">");
        foreach (var scope in scopes) html.Append($"<li>{E(scope)}</li>");
        if (scopes.IsEmpty) html.Append("<li>(none)</li>");
        html.Append($"</ul>\n<form method=\"post\" action=\"{E(action)}\">\n");
        foreach (var (name, value) in parameters)
            html.Append($"<input type=\"hidden\" name=\"{E(name)}\" value=\"{E(value)}\">\n");
        html.Append($"<input type=\"hidden\" name=\"{E(tokens.FormFieldName)}\" value=\"{E(tokens.RequestToken)}\">\n");
        html.Append($"<button type=\"submit\" name=\"{DecisionField}\" value=\"{Approve}\" id=\"approve\">Approve</button>\n");
        html.Append($"<button type=\"submit\" name=\"{DecisionField}\" value=\"deny\" id=\"deny\">Deny</button>\n");
        html.Append("</form>\n</body></html>\n");
        return html.ToString();
    }
}
