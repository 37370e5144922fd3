using System.Net;

namespace Pkce.Cli;

/// <summary>
/// The page the browser shows after the callback: self-contained (no scripts, styles or images from elsewhere),
/// sent with <c>Referrer-Policy: no-referrer</c> so the callback URL (with its code) leaks to no one (RFC 9700 §4.2.4).
/// </summary>
public sealed record ResultPage(bool Succeeded, string Detail)
{
    /// <summary>The HTML of the page.</summary>
    public string Html =>
        $"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>pkce: {(Succeeded ? "signed in" : "sign-in failed")}</title></head>
        <body style="font-family: sans-serif; margin: 3em">
        <h1>{(Succeeded ? "You are signed in." : "Sign-in failed.")}</h1>
        <p>{WebUtility.HtmlEncode(Detail)}</p>
        <p>You can close this window and return to the terminal.</p>
        </body></html>
        """;
}
