using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;

namespace Pkce.AspNetCore;

/// <summary>The page shown when connecting fails, unless the app replaces it (<see cref="PkceAspNetCoreOptions.ErrorPage"/>): code and message, HTML-encoded.</summary>
internal static class DefaultErrorPage
{
    public static Task WriteAsync(HttpContext context, PkceConnectFailure failure)
    {
        var html = HtmlEncoder.Default;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Connecting failed</title></head><body>" +
            $"<h1>Connecting {html.Encode(failure.Provider)} failed</h1>" +
            $"<p id=\"pkce-error\" data-code=\"{html.Encode(failure.ErrorCode)}\"><code>{html.Encode(failure.ErrorCode)}</code>: {html.Encode(failure.Message)}</p>" +
            "<p><a href=\"/\">Back</a></p></body></html>", context.RequestAborted);
    }
}
