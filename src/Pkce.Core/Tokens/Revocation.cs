using LanguageExt;
using Pkce.Http;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>Token revocation (RFC 7009): built without I/O, sent once, parsed without I/O.</summary>
public static class Revocation
{
    /// <summary>What the endpoint is called in messages.</summary>
    public const string EndpointName = "revocation endpoint";

    /// <summary>
    /// RFC 7009 §2.1: a POST of <c>token</c> and, as a hint, <c>token_type_hint</c> (<c>refresh_token</c> or
    /// <c>access_token</c>), with the client's authentication as at the token endpoint.
    /// </summary>
    public static Either<PkceError, FormPost> Build(PkceConfig config, string token, bool isRefreshToken) =>
        from endpoint in config.Server.RevocationEndpoint.ToEither((PkceError)new PkceError.InvalidValue("configuration", "no revocation endpoint is set"))
        from _ in guard(!string.IsNullOrEmpty(token), (PkceError)new PkceError.InvalidValue("token", "missing")).ToEither()
        from post in ClientCredentials.Post(config.Client, EndpointName, endpoint, Seq(
            new QueryParameter("token", token),
            new QueryParameter("token_type_hint", isRefreshToken ? WireNames.RefreshToken : WireNames.AccessToken)))
        select post;

    /// <summary>
    /// RFC 7009 §2.2: "The authorization server responds with HTTP status code 200 if the token has been revoked
    /// successfully or if the client submitted an invalid token" and "the content of the response body is ignored
    /// by the client": any 200 is success, whatever the body. §2.2.1: errors are RFC 6749 §5.2 objects
    /// (<c>unsupported_token_type</c>); 503 means "try again later".
    /// </summary>
    public static Either<PkceError, Unit> Parse(HttpAnswer answer) =>
        answer.Status == 200 ? unit : JsonAnswer.Read(answer, (_, _) => JsonAnswer.Unexpected<Unit>(answer, "revocation answers 200 on success"));

    /// <summary>Revokes <paramref name="token"/> once.</summary>
    public static EitherAsync<PkceError, Unit> Revoke(PkceConfig config, HttpPort http, string token, bool isRefreshToken, CancellationToken cancellationToken) =>
        from post in Build(config, token, isRefreshToken).ToAsync()
        from done in Send(config, http, post, cancellationToken).ToAsync()
        select done;

    private static async Task<Either<PkceError, Unit>> Send(PkceConfig config, HttpPort http, FormPost post, CancellationToken cancellationToken) =>
        (await http.Post(post, config.Timeout, cancellationToken).ConfigureAwait(false)).Bind(Parse)
            .MapLeft(error => ErrorRedaction.WithoutSent(error, config, post));
}
