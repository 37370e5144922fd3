using System.Text;
using Microsoft.AspNetCore.Http;

namespace Pkce.Cli;

/// <summary>
/// What <see cref="CallbackListener"/> does with one request, decided without a socket from what Kestrel read off the
/// wire (so that it can be fuzzed): only a GET to the callback path, addressed to this host and port, carrying the
/// state of the login in progress is the callback; everything else is refused with a status and a line saying what
/// it was. Whether the callback already came is the listener's to know.
/// </summary>
internal static class CallbackRequest
{
    /// <summary>What to do with a request.</summary>
    internal abstract record Decision;

    /// <summary>
    /// Refuse it with <paramref name="Status"/>; <paramref name="What"/> describes it by method, host or path, never
    /// its query (raw: show it through <see cref="ServerText.Printable"/>).
    /// </summary>
    internal sealed record Refused(int Status, string What) : Decision;

    /// <summary>It is the callback: <paramref name="Url"/> is the full callback URL, for <see cref="Callback.Parse(string)"/>.</summary>
    internal sealed record Accepted(string Url) : Decision
    {
        // The URL carries the authorization code: it never prints.
        protected override bool PrintMembers(StringBuilder builder)
        {
            builder.Append("Url = ").Append(Redaction.Mark);
            return true;
        }
    }

    /// <summary>
    /// Decides a request for <paramref name="redirectUri"/> (with the port bound) while the login with state
    /// <paramref name="expected"/> (null: none yet) waits. <paramref name="host"/> is the Host header,
    /// <paramref name="path"/> the decoded path and <paramref name="target"/> the request target as sent.
    /// </summary>
    internal static Decision Decide(Uri redirectUri, State? expected, string host, string method, string path, string target)
    {
        // The Host header names this listener, or the request was aimed at another name that resolves here (DNS rebinding).
        if (!string.Equals(host, redirectUri.Authority, StringComparison.OrdinalIgnoreCase))
            return new Refused(StatusCodes.Status400BadRequest, $"a request for host '{host}'");
        // Described by its path alone: the query of a stray request may carry a code (a browser that added a slash
        // to the callback, say), and the description goes to stderr.
        if (!string.Equals(path, redirectUri.AbsolutePath, StringComparison.Ordinal))
            return new Refused(StatusCodes.Status404NotFound, $"a {method} request for {path}");
        if (!HttpMethods.IsGet(method))
            return new Refused(StatusCodes.Status405MethodNotAllowed, $"a {method} request to the callback path");
        if (expected is null || !Callback.CarriesState(target, expected))
            return new Refused(StatusCodes.Status400BadRequest, "a callback without this login's state");
        // An absolute-form target (RFC 9112 §3.2.2) whose authority does not parse has no URL: refused, not thrown.
        return Uri.TryCreate(redirectUri, target, out var callback)
            ? new Accepted(callback.OriginalString)
            : new Refused(StatusCodes.Status400BadRequest, "a callback whose request target is not a URL");
    }
}
