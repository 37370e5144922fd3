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

    private static async Task<Either<PkceError, HttpAnswer>> SendOnce(IFlurlClient client, TokenRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var call = client.Request(request.Endpoint)
            .AllowAnyHttpStatus()
            .WithAutoRedirect(false)
            .WithTimeout(timeout)
            .WithHeader("Accept", "application/json");
        request.Authorization.IfSome(value => call.WithHeader("Authorization", value));
        using var content = new FormUrlEncodedContent(request.Form.Map(p => KeyValuePair.Create(p.Name, p.Value)));
        try
        {
            using var response = await call.PostAsync(content, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var body = await response.ResponseMessage.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var contentType = Prelude.Optional(response.ResponseMessage.Content.Headers.ContentType?.ToString());
            return new HttpAnswer(response.StatusCode, contentType, body);
        }
        catch (FlurlHttpTimeoutException) when (!cancellationToken.IsCancellationRequested)
        {
            return new PkceError.Timeout(timeout);
        }
        catch (FlurlHttpException e) when (!cancellationToken.IsCancellationRequested)
        {
            return new PkceError.TransportFailure(e.InnerException?.Message ?? e.Message);
        }
        catch (FlurlHttpException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }
}
