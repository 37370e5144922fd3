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
        Send(config, http, TokenRequest.Build(config, callback), cancellationToken).ToAsync();

    /// <summary>Sends a built token request (code or refresh grant) once and parses the answer.</summary>
    internal static Task<Either<PkceError, TokenResponse>> Send(PkceConfig config, HttpPort http, Either<PkceError, FormPost> request, CancellationToken cancellationToken) =>
        request.MatchAsync(
            async post => (await http.Post(post, config.Timeout, cancellationToken).ConfigureAwait(false)).Bind(TokenResponseParser.Parse)
                .MapLeft(error => ErrorRedaction.WithoutSent(error, config, post)),
            error => Prelude.Left<PkceError, TokenResponse>(error));
}
