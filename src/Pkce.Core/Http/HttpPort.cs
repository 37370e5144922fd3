using Flurl.Http;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce.Http;

/// <summary>
/// The library's one door to HTTP: every request to the authorization server (token, discovery, pushed
/// authorization, revocation) goes through it, with the same rules, and Flurl stays behind it. Each request is sent
/// exactly once: an authorization code burns on first use (RFC 6749 §4.1.2 "MUST NOT use the authorization code
/// more than once") and a refresh token may rotate, so nothing here retries. No request or body ever goes anywhere
/// but its endpoint: the port builds its own <see cref="HttpClient"/> whose last handler before the socket is the
/// library's (<see cref="PinnedTransport"/>), so no handler of anyone's can follow a redirect, re-post a body
/// elsewhere or send it twice, and every 3xx is <see cref="PkceError.RedirectRefused"/>. That is why the port takes a
/// <see cref="SocketsHttpHandler"/> (for proxies, certificates, connection limits) and never a finished
/// <see cref="HttpClient"/> or handler chain. One deadline covers headers and body; bodies are bounded; connection
/// failures, timeouts and oversized bodies are typed errors; cancellation throws <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class HttpPort : IDisposable
{
    /// <summary>Bodies larger than this are refused unread: no answer of an authorization server comes near it.</summary>
    public const int MaxBodyBytes = 1 << 20;

    private readonly IFlurlClient _client;

    private HttpPort(HttpMessageHandler socket) =>
        _client = new FlurlClient(new HttpClient(new PinnedTransport(socket), disposeHandler: true));

    /// <summary>
    /// A port over a client made by an <c>IHttpClientFactory</c> whose primary handler is
    /// <see cref="PrimaryHandler"/> (the ASP.NET Core package registers it so). Every request is still pinned, and an
    /// answer to a request that did not pass the pinned transport (a chain whose primary handler is not the
    /// library's) is refused as <see cref="PkceError.RedirectRefused"/> rather than used.
    /// </summary>
    internal HttpPort(HttpClient client) => _client = new FlurlClient(client);

    /// <summary>The primary handler for a factory-made client of <see cref="HttpPort(HttpClient)"/>: the pin over a socket that never follows redirects.</summary>
    internal static HttpMessageHandler PrimaryHandler() => new PinnedTransport(PinnedTransport.Socket());

    /// <summary>A port with a socket handler of its own, released by <see cref="Dispose"/>.</summary>
    public static HttpPort Create() => new(PinnedTransport.Socket());

    /// <summary>
    /// A port over the caller's socket handler (its proxy, certificates and pool are used). Its
    /// <see cref="SocketsHttpHandler.AllowAutoRedirect"/> is turned off here, so it must not have sent a request
    /// yet (<see cref="ArgumentException"/> otherwise); the port owns it from now on.
    /// </summary>
    public static HttpPort Of(SocketsHttpHandler socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        try
        {
            socket.AllowAutoRedirect = false;
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException("the socket handler has already sent requests; give the port a fresh one", nameof(socket), e);
        }
        return new HttpPort(socket);
    }

    /// <summary>POSTs <paramref name="post"/> once within <paramref name="timeout"/>.</summary>
    public Task<Either<PkceError, HttpAnswer>> Post(FormPost post, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(post);
        return SendAsync(post.Name, post.Endpoint, post.Authorization, Some(post.Form), timeout, cancellationToken, post.Proof);
    }

    /// <summary>GETs <paramref name="endpoint"/> once within <paramref name="timeout"/> (a metadata document).</summary>
    public Task<Either<PkceError, HttpAnswer>> Get(string name, Uri endpoint, TimeSpan timeout, CancellationToken cancellationToken) =>
        SendAsync(name, endpoint, None, None, timeout, cancellationToken, None);

    private async Task<Either<PkceError, HttpAnswer>> SendAsync(
        string name, Uri endpoint, Option<string> authorization, Option<Seq<QueryParameter>> form, TimeSpan timeout, CancellationToken cancellationToken,
        Option<string> proof)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var content = form.IsSome ? new FormUrlEncodedContent(form.IfNone(Seq<QueryParameter>()).Map(p => KeyValuePair.Create(p.Name, p.Value))) : null;
        Pin? pin = null;
        var call = _client.Request(endpoint).AllowAnyHttpStatus().WithAutoRedirect(false)
            .BeforeCall(c => c.HttpRequestMessage.Options.Set(PinnedTransport.Key, pin = new Pin(c.HttpRequestMessage.RequestUri!)));
        call.Headers.Add("Accept", "application/json");
        authorization.IfSome(value => call.Headers.Add("Authorization", value));
        proof.IfSome(value => call.Headers.Add("DPoP", value));
        try
        {
            using var response = await call.SendAsync(content is null ? HttpMethod.Get : HttpMethod.Post, content,
                HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            var message = response.ResponseMessage;
            if (pin is not { Sent: true })
                return new PkceError.RedirectRefused(name, None);
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
            return new HttpAnswer(name, response.StatusCode, Optional(message.Content.Headers.ContentType?.MediaType), body)
            {
                DpopNonce = message.Headers.NonValidated.TryGetValues("DPoP-Nonce", out var nonces) ? Optional(nonces.FirstOrDefault()) : None,
                Challenges = message.Headers.NonValidated.TryGetValues("WWW-Authenticate", out var challenges) ? challenges.ToSeq().Strict() : Empty,
            };
        }
        catch (Exception e) when (e is FlurlHttpException or OperationCanceledException or HttpRequestException or IOException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Refusal(e) is { } refusal) return new PkceError.RedirectRefused(name, Optional(refusal.Target?.OriginalString));
            if (deadline.IsCancellationRequested) return new PkceError.Timeout(name, timeout);
            return new PkceError.TransportFailure(name, e is FlurlHttpException { InnerException: { } inner } ? inner.Message : e.Message);
        }
    }

    private static RedirectRefusal? Refusal(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is RedirectRefusal refusal) return refusal;
        return null;
    }

    private static PkceError TooLarge(string name, int status) =>
        new PkceError.UnexpectedResponse(name, status, None, $"the body is larger than {MaxBodyBytes} bytes", None);

    /// <summary>Releases the client and its socket handler.</summary>
    public void Dispose() => _client.Dispose();
}
