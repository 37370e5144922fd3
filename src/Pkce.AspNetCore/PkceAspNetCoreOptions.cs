using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Pkce.AspNetCore;

/// <summary>Settings shared by every provider: whose account is connected, the browser binding, the error page.</summary>
public sealed class PkceAspNetCoreOptions
{
    /// <summary>
    /// The signed-in user whose account is connected, or null when nobody is signed in (the endpoints then
    /// challenge). Default: the name identifier claim of <see cref="HttpContext.User"/>.
    /// </summary>
    public Func<HttpContext, string?> UserId { get; set; } = context =>
        context.User.Identity?.IsAuthenticated == true ? context.User.FindFirst(ClaimTypes.NameIdentifier)?.Value : null;

    /// <summary>
    /// The prefix of the cookies that bind a pending connection to the browser that started it (RFC 9700 §4.7);
    /// one cookie per pending connection, so two tabs connecting at once do not overwrite each other's.
    /// </summary>
    public string CookiePrefix { get; set; } = ".Pkce.Connect.";

    /// <summary>
    /// Writes the page shown when connecting fails (a refused callback, a denied authorization, a provider that
    /// failed). The status code is set before it is called. Default: a short HTML page with the error code and
    /// message, HTML-encoded, never a stack trace.
    /// </summary>
    public Func<HttpContext, PkceConnectFailure, Task> ErrorPage { get; set; } = DefaultErrorPage.WriteAsync;

    /// <summary>
    /// How many connections one user may start at one provider within its pending lifetime (per app instance);
    /// more get a 429 page. Each start keeps a pending authorization until its lifetime ends.
    /// </summary>
    public int MaxStartsPerUser { get; set; } = 20;

    /// <summary>An access token this close to its expiry is refreshed before it is used.</summary>
    public TimeSpan RefreshMargin { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Whether ASP.NET Core's request lines (category <c>Microsoft.AspNetCore.Hosting.Diagnostics</c>, Information
    /// and below) stay on. They log each request's URL with its query, and the callback's query holds the
    /// authorization code, so <c>AddPkce</c> turns them off (warnings and errors of the category stay) unless this is set.
    /// </summary>
    public bool KeepRequestLines { get; set; }

    /// <summary>How long metadata from discovery is kept.</summary>
    public TimeSpan MetadataLifetime { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>Why connecting an account failed, for the error page.</summary>
/// <param name="Provider">The provider's name.</param>
/// <param name="ErrorCode">A stable code: the core error's (<c>state_unknown</c>, <c>authorization_denied</c> ...), or <c>internal_error</c>; the provider's own <c>error</c> (<c>access_denied</c> ...) is in <see cref="PkceError.AuthorizationDenied.Error"/>.</param>
/// <param name="Message">One line that holds no secret (server text escaped).</param>
/// <param name="Error">The typed error, unless the failure was an unexpected exception (logged, never shown).</param>
public sealed record PkceConnectFailure(string Provider, string ErrorCode, string Message, PkceError? Error);
