using Flurl.Http;
using LanguageExt;

namespace Pkce.Http;

/// <summary>
/// The one I/O call of the token exchange, through Flurl. Sent exactly once: an authorization code burns on first
/// use (RFC 6749 §4.1.2 "MUST NOT use the authorization code more than once"), so nothing here retries, and
/// redirects are never followed, whatever <see cref="HttpClient"/> the caller gave: Flurl's own redirects are off,
/// the body is pinned to the token endpoint's address (<see cref="PinnedContent"/>: a handler that follows a 307
/// or 308 cannot re-post it elsewhere), and an answer that comes from any other address (a 301, 302 or 303 turned
/// into a GET by such a handler) is discarded. Every 3xx is <see cref="PkceError.RedirectRefused"/>.
/// </summary>
public static class TokenEndpoint
{
    /// <summary>
    /// POSTs the request within <paramref name="timeout"/>. Connection failures and timeouts become
    /// <see cref="PkceError.TransportFailure"/> and <see cref="PkceError.Timeout"/>; cancellation throws
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    public static EitherAsync<PkceError, HttpAnswer> Send(IFlurlClient client, TokenRequest request, TimeSpan timeout, CancellationToken cancellationToken) =>
        SendOnce(client, request, timeout, cancellationToken).ToAsync();

    /// <summary>Bodies larger than this are refused unread: no token response comes near it.</summary>
    public const int MaxBodyBytes = 1 << 20;

    internal static async Task<Either<PkceError, HttpAnswer>> SendOnce(IFlurlClient client, TokenRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // One deadline for the whole exchange, headers and body alike.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var content = new PinnedContent(request.Form.Map(p => KeyValuePair.Create(p.Name, p.Value)));
        var call = client.Request(request.Endpoint).AllowAnyHttpStatus().WithAutoRedirect(false)
            .BeforeCall(c => content.Pin(c.HttpRequestMessage));
        call.Headers.Add("Accept", "application/json");
        request.Authorization.IfSome(value => call.Headers.Add("Authorization", value));
        try
        {
            using var response = await call.SendAsync(HttpMethod.Post, content, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            var message = response.ResponseMessage;
            if (!content.IsPinnedTo(message.RequestMessage?.RequestUri))
                return new PkceError.RedirectRefused(Prelude.Optional(message.RequestMessage?.RequestUri?.OriginalString));
            if (response.StatusCode is >= 300 and < 400)
                return new PkceError.RedirectRefused(Prelude.Optional(message.Headers.Location?.OriginalString));
            if (message.Content.Headers.ContentLength > MaxBodyBytes) return TooLarge(response.StatusCode);
            try
            {
                // Bounded whether or not the server declared a length: a hostile endpoint cannot exhaust memory.
                await message.Content.LoadIntoBufferAsync(MaxBodyBytes, deadline.Token).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (!deadline.IsCancellationRequested)
            {
                return TooLarge(response.StatusCode);
            }
            var body = await message.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
            return new HttpAnswer(response.StatusCode, Prelude.Optional(message.Content.Headers.ContentType?.MediaType), body);
        }
        catch (Exception e) when (e is FlurlHttpException or OperationCanceledException or HttpRequestException or IOException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Refusal(e) is { } refusal) return new PkceError.RedirectRefused(Prelude.Optional(refusal.Target?.OriginalString));
            if (deadline.IsCancellationRequested) return new PkceError.Timeout(timeout);
            return new PkceError.TransportFailure(e is FlurlHttpException { InnerException: { } inner } ? inner.Message : e.Message);
        }
    }

    private static RedirectRefusal? Refusal(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is RedirectRefusal refusal) return refusal;
        return null;
    }

    private static PkceError TooLarge(int status) =>
        new PkceError.UnexpectedResponse(status, Prelude.None, $"the body is larger than {MaxBodyBytes} bytes", Prelude.None);
}
