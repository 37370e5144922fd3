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
    internal static async Task<Either<PkceError, TokenResponse>> Send(PkceConfig config, Dependencies deps, Either<PkceError, FormPost> request, CancellationToken cancellationToken)
    {
        // Not Either.MatchAsync: it awaits the send on the caller's synchronization context, so a caller that blocks
        // on the task from a UI thread or a classic ASP.NET request would never see it finish.
        if (request.Case is not FormPost post) return request.Map(_ => default(TokenResponse)!);
        return (await DpopPost.Send(deps, post, config.Timeout, cancellationToken).ConfigureAwait(false))
            .Bind(answer => TokenResponseParser.Parse(answer, deps.Dpop.IsSome))
            .MapLeft(error => ErrorRedaction.WithoutSent(error, config, post));
    }
}
