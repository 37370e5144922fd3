using Flurl.Http;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce.Http;

/// <summary>
/// The library's one door to HTTP: every request to the authorization server (token, discovery, pushed
/// authorization, revocation) goes through it, with the same rules. Made from an <see cref="HttpClient"/> of the
/// caller's (<see cref="Of"/>, e.g. from <c>IHttpClientFactory</c>) or of its own (<see cref="Create"/>); Flurl
/// stays behind it. Each request is sent exactly once: an authorization code burns on first use (RFC 6749 §4.1.2
/// "MUST NOT use the authorization code more than once") and a refresh token may rotate, so nothing here retries.
/// Redirects are never followed, whatever the client's handler does: Flurl's own redirects are off, a form body is
/// pinned to its endpoint's address (<see cref="PinnedContent"/>: a handler that follows a 307 or 308 cannot re-post
/// it elsewhere), an answer that comes from any other address (a 301, 302 or 303 turned into a GET) is discarded,
/// and every 3xx is <see cref="PkceError.RedirectRefused"/>. One deadline covers headers and body; bodies are
/// bounded; connection failures, timeouts and oversized bodies are typed errors; cancellation throws
/// <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class HttpPort : IDisposable
{
    /// <summary>Bodies larger than this are refused unread: no answer of an authorization server comes near it.</summary>
    public const int MaxBodyBytes = 1 << 20;

    private readonly IFlurlClient _client;
    private readonly bool _owned;

    private HttpPort(IFlurlClient client, bool owned) => (_client, _owned) = (client, owned);

    /// <summary>A port over the caller's client, which stays the caller's (not disposed here).</summary>
    public static HttpPort Of(HttpClient client) => new(new FlurlClient(client ?? throw new ArgumentNullException(nameof(client))), owned: false);

    /// <summary>A port with a client of its own, released by <see cref="Dispose"/>.</summary>
    public static HttpPort Create() => new(new FlurlClient(), owned: true);

    /// <summary>POSTs <paramref name="post"/> once within <paramref name="timeout"/>.</summary>
    public Task<Either<PkceError, HttpAnswer>> Post(FormPost post, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(post);
        return SendAsync(post.Name, post.Endpoint, post.Authorization, Some(post.Form), timeout, cancellationToken);
    }

    /// <summary>GETs <paramref name="endpoint"/> once within <paramref name="timeout"/> (a metadata document).</summary>
    public Task<Either<PkceError, HttpAnswer>> Get(string name, Uri endpoint, TimeSpan timeout, CancellationToken cancellationToken) =>
        SendAsync(name, endpoint, None, None, timeout, cancellationToken);

    private async Task<Either<PkceError, HttpAnswer>> SendAsync(
        string name, Uri endpoint, Option<string> authorization, Option<Seq<QueryParameter>> form, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var content = form.Match(f => new PinnedContent(f.Map(p => KeyValuePair.Create(p.Name, p.Value))), () => (PinnedContent?)null);
        var pin = new Pin(content);
        var call = _client.Request(endpoint).AllowAnyHttpStatus().WithAutoRedirect(false).BeforeCall(pin.Set);
        call.Headers.Add("Accept", "application/json");
        authorization.IfSome(value => call.Headers.Add("Authorization", value));
        try
        {
            using var response = await call.SendAsync(content is null ? HttpMethod.Get : HttpMethod.Post, content,
                HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            var message = response.ResponseMessage;
            if (!pin.Holds(message.RequestMessage?.RequestUri))
                return new PkceError.RedirectRefused(name, Optional(message.RequestMessage?.RequestUri?.OriginalString));
            if (response.StatusCode is >= 300 and < 400)
                return new PkceError.RedirectRefused(name, Optional(message.Headers.Location?.OriginalString));
            if (message.Content.Headers.ContentLength > MaxBodyBytes) return TooLarge(name, response.StatusCode);
            try
            {
                // Bounded whether or not the server declared a length: a hostile endpoint cannot exhaust memory.
                await message.Content.LoadIntoBufferAsync(MaxBodyBytes, deadline.Token).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (!deadline.IsCancellationRequested)
            {
                return TooLarge(name, response.StatusCode);
            }
            var body = await message.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
            return new HttpAnswer(name, response.StatusCode, Optional(message.Content.Headers.ContentType?.MediaType), body);
        }
        catch (Exception e) when (e is FlurlHttpException or OperationCanceledException or HttpRequestException or IOException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Refusal(e) is { } refusal) return new PkceError.RedirectRefused(name, Optional(refusal.Target?.OriginalString));
            if (deadline.IsCancellationRequested) return new PkceError.Timeout(name, timeout);
            return new PkceError.TransportFailure(name, e is FlurlHttpException { InnerException: { } inner } ? inner.Message : e.Message);
        }
    }

    /// <summary>Where the request was first sent: its body may go nowhere else, and no answer from elsewhere counts.</summary>
    private sealed class Pin(PinnedContent? content)
    {
        private Uri? _address;

        public void Set(FlurlCall call)
        {
            _address = call.HttpRequestMessage.RequestUri;
            content?.Pin(call.HttpRequestMessage);
        }

        public bool Holds(Uri? answeredFrom) => _address is not null && answeredFrom is not null && PinnedContent.SameAddress(_address, answeredFrom);
    }

    private static RedirectRefusal? Refusal(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is RedirectRefusal refusal) return refusal;
        return null;
    }

    private static PkceError TooLarge(string name, int status) =>
        new PkceError.UnexpectedResponse(name, status, None, $"the body is larger than {MaxBodyBytes} bytes", None);

    /// <summary>Releases the client if this port made it.</summary>
    public void Dispose()
    {
        if (_owned) _client.Dispose();
    }
}
