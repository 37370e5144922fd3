using Flurl.Http;
using LanguageExt;

namespace Pkce.Http;

/// <summary>
/// The one I/O call of the token exchange, through Flurl. Sent exactly once: an authorization code burns on first
/// use (RFC 6749 §4.1.2 "MUST NOT use the authorization code more than once"), so nothing here retries and
/// redirects are not followed (a 307 would re-post the code to another address).
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
        var call = client.Request(request.Endpoint).AllowAnyHttpStatus().WithAutoRedirect(false);
        call.Headers.Add("Accept", "application/json");
        request.Authorization.IfSome(value => call.Headers.Add("Authorization", value));
        using var content = new FormUrlEncodedContent(request.Form.Map(p => KeyValuePair.Create(p.Name, p.Value)));
        try
        {
            using var response = await call.SendAsync(HttpMethod.Post, content, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            var message = response.ResponseMessage;
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
            if (deadline.IsCancellationRequested) return new PkceError.Timeout(timeout);
            return new PkceError.TransportFailure(e is FlurlHttpException { InnerException: { } inner } ? inner.Message : e.Message);
        }
    }

    private static PkceError TooLarge(int status) =>
        new PkceError.UnexpectedResponse(status, Prelude.None, $"the body is larger than {MaxBodyBytes} bytes", Prelude.None);
}
