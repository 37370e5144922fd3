using Flurl.Http;
using LanguageExt;
using Pkce.Http;

namespace Pkce;

/// <summary>The token exchange: build (pure), send once (I/O), parse (pure).</summary>
public static class Token
{
    /// <summary>
    /// Redeems a verified callback at the token endpoint. Only a <see cref="VerifiedCallback"/> is accepted, so a
    /// code whose state was not checked cannot reach the server.
    /// </summary>
    public static EitherAsync<PkceError, TokenResponse> Exchange(PkceConfig config, IFlurlClient http, VerifiedCallback callback, CancellationToken cancellationToken) =>
        from request in TokenRequest.Build(config, callback).ToAsync()
        from answer in TokenEndpoint.Send(http, request, config.Timeout, cancellationToken)
        from token in TokenResponseParser.Parse(answer).ToAsync()
        select token;
}
