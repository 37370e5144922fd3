using System.Net;
using System.Net.Http.Headers;
using LanguageExt;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pkce.Http;

namespace Pkce.AspNetCore;

/// <summary>
/// The handler of a user API client (<c>AddPkceUserApi</c>): attaches the signed-in user's access token for the
/// provider, refreshed through the token source's single flight when it is near its expiry, and on a 401 refreshes
/// once and sends the request again (its content buffered first, so it can be). The token goes only to the API's
/// origin: a request to any other origin is refused before it is sent. No user or no usable token is a
/// <see cref="PkceNotConnectedException"/> (connect, or connect again); other failures are the facade's exceptions.
/// </summary>
internal sealed class UserTokenHandler(string provider, Uri apiBase, PkceProviders providers, IHttpContextAccessor accessor,
    IOptions<PkceAspNetCoreOptions> options, ILogger<UserTokenHandler> logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var target = OwnOrigin(request.RequestUri);
        var found = providers.Find(provider) ?? throw new InvalidOperationException($"no Pkce provider named '{provider}'");
        var context = accessor.HttpContext ?? throw new InvalidOperationException("the user API client is used outside a request");
        var userId = options.Value.UserId(context) ?? throw new PkceNotConnectedException(provider, new PkceError.LoginRequired("nobody is signed in"));
        var key = found.KeyOf(userId).IfLeft(error => throw Failure(error));

        if (request.Content is not null) await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        var deps = await found.Deps(cancellationToken).IfLeft(error => throw Failure(error)).ConfigureAwait(false);
        var tokens = await Token(found, key, refresh: false, cancellationToken).ConfigureAwait(false);
        Authorize(request, deps, tokens);
        PkceLog.TokenAttached(logger, provider);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        // An answer from elsewhere (a redirect followed below this handler) is never answered with the token again.
        if (response.RequestMessage?.RequestUri is { } answered && !SameOrigin(answered, apiBase)) return response;
        var dpop = deps.Dpop.Case as DpopBinding;
        // RFC 9449 §9: a resource server that wants a nonce says so with a 401; the same token goes again with it.
        var nonce = dpop is not null && DpopResourceRequest.AsksForNonce(response, dpop);
        if (!nonce && (response.StatusCode != HttpStatusCode.Unauthorized || tokens.RefreshToken.IsNone)) return response;

        if (!nonce) PkceLog.RetryingAfter401(logger, provider);
        response.Dispose();
        var renewed = nonce ? tokens : await Token(found, key, refresh: true, cancellationToken).ConfigureAwait(false);
        // Not disposed here: the response returned refers to it, and its content is the caller's request's.
        var again = DpopResourceRequest.Copy(request, target);
        Authorize(again, deps, renewed);
        var second = await base.SendAsync(again, cancellationToken).ConfigureAwait(false);
        if (dpop is not null) DpopResourceRequest.AsksForNonce(second, dpop);
        return second;
    }

    /// <summary>The request's address if it is on the API's origin; anything else is refused before a byte is sent.</summary>
    private Uri OwnOrigin(Uri? uri) =>
        uri is { IsAbsoluteUri: true } && SameOrigin(uri, apiBase) ? uri
        : throw new InvalidOperationException($"refusing to send the {provider} token of the user to {uri?.GetLeftPart(UriPartial.Authority)}: the API is {apiBase.GetLeftPart(UriPartial.Authority)}");

    /// <summary>
    /// A DPoP token with a fresh proof (RFC 9449 §7), a bearer token as RFC 6750 §2.1 says. A provider that uses
    /// DPoP sends only DPoP tokens: one stored as Bearer (a store someone wrote to) is not sent without a proof.
    /// </summary>
    private void Authorize(HttpRequestMessage request, Dependencies deps, TokenSet tokens)
    {
        var isDpop = string.Equals(tokens.TokenType, "DPoP", StringComparison.OrdinalIgnoreCase);
        if (isDpop != deps.Dpop.IsSome)
            throw new PkceNotConnectedException(provider, new PkceError.LoginRequired(isDpop
                ? "the token is bound to a DPoP key this app no longer uses"
                : "the stored token is a bearer token, but the provider uses DPoP"));
        if (deps.Dpop.Case is DpopBinding dpop)
            DpopResourceRequest.Authorize(request, dpop, deps.Random, deps.Clock, tokens.AccessToken);
        else
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
    }

    private async Task<TokenSet> Token(PkceProvider found, TokenKey key, bool refresh, CancellationToken cancellationToken)
    {
        var result = await (from source in found.Source(cancellationToken)
                            from tokens in refresh ? source.Refresh(key, cancellationToken) : source.Get(key, cancellationToken)
                            select tokens).ToEither().ConfigureAwait(false);
        return result.Match(tokens => tokens, error =>
        {
            PkceLog.TokenUnavailable(logger, provider, error.Code, error.Message);
            throw Failure(error);
        });
    }

    private Exception Failure(PkceError error) =>
        error is PkceError.LoginRequired ? new PkceNotConnectedException(provider, error) : Facade.Errors.ToException(error);

    private static bool SameOrigin(Uri a, Uri b) =>
        Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0;
}
