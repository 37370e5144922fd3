using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Pkce.AspNetCore;

/// <summary>
/// Binds a pending connection to the browser that started it as well as to the user (RFC 9700 §4.7: "the client
/// MUST ... ensure that the authorization response ... is bound to the user agent"): the start sets a cookie holding
/// a random value, and the pending authorization is stored for the user joined with that value's hash, so only the
/// same user in the same browser completes it; a callback opened in another browser carries no cookie and is
/// refused as another user's. One cookie per pending connection, named after a hash of its state, so two tabs
/// connecting at once each find their own. The cookie is HttpOnly, Secure when the redirect URI or the request is https, SameSite=Lax (the callback
/// is a top-level GET navigation from the provider, which Lax cookies accompany), scoped to the callback path and
/// expires with the pending authorization; the callback deletes it.
/// </summary>
internal static class BrowserBinding
{
    /// <summary>A fresh random binding value.</summary>
    public static string NewValue() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// The pending authorization's user: the provider, the hash of the browser's value (absent: a value no browser
    /// holds) and the app's user id, in that order. The provider is in it so that a state started for one provider
    /// cannot be completed at another's callback, whose token endpoint would then receive the first one's code (a
    /// mix-up, RFC 9700 §4.4); the parts before the user id have no separator in them, so no two triples give one key.
    /// </summary>
    public static string BoundUser(string provider, string userId, string? value) =>
        provider + "\u001f" + (value is null ? "-" : WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.UTF8.GetBytes(value)))) + "\u001f" + userId;

    /// <summary>The cookie of the pending connection with <paramref name="state"/>.</summary>
    public static string CookieName(string prefix, State state) =>
        prefix + WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes("pkce-binding:" + state.Value)))[..22];

    public static void Set(HttpContext context, string name, string value, string path, bool secure, TimeSpan lifetime) =>
        context.Response.Cookies.Append(name, value, Options(context, path, secure, lifetime));

    public static string? Read(HttpContext context, string name) =>
        context.Request.Cookies.TryGetValue(name, out var value) && value.Length is > 0 and <= 64 ? value : null;

    public static void Delete(HttpContext context, string name, string path, bool secure) =>
        context.Response.Cookies.Delete(name, Options(context, path, secure, TimeSpan.Zero));

    /// <summary>Secure when the callback is https (the redirect URI says so, whatever a TLS-terminating proxy lets the app see) or the request is.</summary>
    private static CookieOptions Options(HttpContext context, string path, bool secure, TimeSpan lifetime) => new()
    {
        HttpOnly = true,
        Secure = secure || context.Request.IsHttps,
        SameSite = SameSiteMode.Lax,
        Path = path,
        MaxAge = lifetime > TimeSpan.Zero ? lifetime : null,
        IsEssential = true,
    };
}
