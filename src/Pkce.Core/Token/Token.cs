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
    public static EitherAsync<PkceError, TokenResponse> Exchange(PkceConfig config, HttpPort http, VerifiedCallback callback, CancellationToken cancellationToken) =>
        Exchange(config, Dependencies.System(http), callback, cancellationToken);

    /// <summary>
    /// Redeems a verified callback with <paramref name="deps"/>: with a DPoP binding, the request carries a proof
    /// (RFC 9449 §5) and must be answered with a <c>DPoP</c> token.
    /// </summary>
    public static EitherAsync<PkceError, TokenResponse> Exchange(PkceConfig config, Dependencies deps, VerifiedCallback callback, CancellationToken cancellationToken) =>
        Send(config, deps, TokenRequest.Build(config, callback), cancellationToken).ToAsync();

    /// <summary>Sends a built token request (code or refresh grant) once (DPoP: see <see cref="DpopPost"/>) and parses the answer.</summary>
    internal static Task<Either<PkceError, TokenResponse>> Send(PkceConfig config, Dependencies deps, Either<PkceError, FormPost> request, CancellationToken cancellationToken) =>
        request.MatchAsync(
            async post => (await DpopPost.Send(deps, post, config.Timeout, cancellationToken).ConfigureAwait(false))
                .Bind(answer => TokenResponseParser.Parse(answer, deps.Dpop.IsSome))
                .MapLeft(error => ErrorRedaction.WithoutSent(error, config, post)),
            error => Prelude.Left<PkceError, TokenResponse>(error));
}
