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
        ExchangeOnce(config, http, callback, cancellationToken).ToAsync();

    // Build → send → parse, bound with one await instead of a LINQ chain over EitherAsync: this is the hot path of
    // every login, and each link of such a chain allocates its own task and closures (docs/benchmarks.md §4).
    private static Task<Either<PkceError, TokenResponse>> ExchangeOnce(PkceConfig config, IFlurlClient http, VerifiedCallback callback, CancellationToken cancellationToken) =>
        TokenRequest.Build(config, callback).MatchAsync(
            async request => (await TokenEndpoint.SendOnce(http, request, config.Timeout, cancellationToken).ConfigureAwait(false)).Bind(TokenResponseParser.Parse),
            error => Prelude.Left<PkceError, TokenResponse>(error));
}
