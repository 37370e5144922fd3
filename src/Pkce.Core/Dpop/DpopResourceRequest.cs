using System.Net;
using System.Net.Http.Headers;
using LanguageExt;

namespace Pkce.Http;

/// <summary>
/// Requests to a resource server with a DPoP-bound access token (RFC 9449 §7): <c>Authorization: DPoP</c> with the
/// token and a fresh <c>DPoP</c> proof holding the request's method and URI, the token's hash (<c>ath</c>) and the
/// origin's nonce. §9: a resource server that wants a nonce answers 401 with <c>WWW-Authenticate: DPoP
/// error="use_dpop_nonce"</c> and a <c>DPoP-Nonce</c>; the request is then sent once more with a new proof. Used by
/// <see cref="DpopHandler"/> and by the ASP.NET Core user API client.
/// </summary>
public static class DpopResourceRequest
{
    /// <summary>Sets the <c>Authorization</c> and <c>DPoP</c> headers of <paramref name="request"/> for <paramref name="accessToken"/>.</summary>
    public static void Authorize(HttpRequestMessage request, DpopBinding dpop, RandomBytes random, TimeProvider clock, string accessToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(dpop);
        var target = request.RequestUri is { IsAbsoluteUri: true } uri ? uri : throw new ArgumentException("the request needs an absolute URI", nameof(request));
        request.Headers.Authorization = new AuthenticationHeaderValue(WireNames.Dpop, accessToken);
        request.Headers.Remove("DPoP");
        request.Headers.TryAddWithoutValidation("DPoP", dpop.Proof(random, clock, request.Method.Method, target, Prelude.Some(accessToken)));
    }

    /// <summary>
    /// Remembers the answer's <c>DPoP-Nonce</c> for the request's origin, and says whether the answer asks for the
    /// request again with it (401 and a DPoP challenge with <c>use_dpop_nonce</c>, and a usable nonce given).
    /// </summary>
    public static bool AsksForNonce(HttpResponseMessage response, DpopBinding dpop)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(dpop);
        var target = response.RequestMessage?.RequestUri;
        var remembered = target is not null && response.Headers.NonValidated.TryGetValues("DPoP-Nonce", out var nonces)
            && dpop.Nonces.Remember(target, nonces.FirstOrDefault());
        return remembered && response.StatusCode == HttpStatusCode.Unauthorized
            && response.Headers.NonValidated.TryGetValues("WWW-Authenticate", out var challenges)
            && WwwAuthenticate.AsksForDpopNonce(WwwAuthenticate.Parse(challenges));
    }

    /// <summary>
    /// A second send of <paramref name="request"/> to <paramref name="target"/>, the address it was first sent to
    /// (a redirect followed below may have rewritten the request's own URI): same method, version, headers, options
    /// and (buffered) content.
    /// </summary>
    public static HttpRequestMessage Copy(HttpRequestMessage request, Uri target)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(target);
        var copy = new HttpRequestMessage(request.Method, target) { Version = request.Version, VersionPolicy = request.VersionPolicy, Content = request.Content };
        foreach (var header in request.Headers) copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        foreach (var option in request.Options) ((IDictionary<string, object?>)copy.Options)[option.Key] = option.Value;
        return copy;
    }
}

/// <summary>
/// A handler for an <see cref="HttpClient"/> that calls a resource server with a DPoP-bound token: each request gets
/// the token from <paramref name="accessToken"/> and a fresh proof, and a <c>use_dpop_nonce</c> answer is retried
/// once with the server's nonce (<see cref="DpopResourceRequest"/>). Redirects are not followed under it: a socket
/// handler below that follows them is refused before anything is sent (it would carry the proof to the redirect's
/// host), and an answer from an address other than the request's is never retried with the token.
/// </summary>
public sealed class DpopHandler(DpopBinding dpop, Func<CancellationToken, Task<string>> accessToken, RandomBytes random, TimeProvider clock) : DelegatingHandler
{
    /// <summary>A handler on the system's random source and clock.</summary>
    public DpopHandler(DpopBinding dpop, Func<CancellationToken, Task<string>> accessToken) : this(dpop, accessToken, Secrets.SystemRandom, TimeProvider.System) { }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (InnerHandler is SocketsHttpHandler { AllowAutoRedirect: true } or HttpClientHandler { AllowAutoRedirect: true })
            throw new InvalidOperationException("the handler under DpopHandler follows redirects, which would carry the DPoP proof and token elsewhere; set AllowAutoRedirect = false");
        if (request.Content is not null) await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        var target = request.RequestUri ?? throw new ArgumentException("the request has no URI", nameof(request));
        var token = await accessToken(cancellationToken).ConfigureAwait(false);
        DpopResourceRequest.Authorize(request, dpop, random, clock, token);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!DpopResourceRequest.AsksForNonce(response, dpop) || !PinnedTransport.SameAddress(response.RequestMessage?.RequestUri ?? target, target)) return response;
        response.Dispose();
        // Not disposed here: the response returned refers to it, and its content is the caller's request's.
        var again = DpopResourceRequest.Copy(request, target);
        DpopResourceRequest.Authorize(again, dpop, random, clock, token);
        var second = await base.SendAsync(again, cancellationToken).ConfigureAwait(false);
        DpopResourceRequest.AsksForNonce(second, dpop);
        return second;
    }
}
