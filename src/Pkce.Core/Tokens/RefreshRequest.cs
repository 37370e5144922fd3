using LanguageExt;
using Pkce.Http;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>The refresh grant (RFC 6749 §6): built without I/O, sent once and parsed like the code exchange.</summary>
public static class RefreshRequest
{
    /// <summary>
    /// RFC 6749 §6: <c>grant_type=refresh_token</c>, <c>refresh_token</c>, and <c>scope</c> if given ("MUST NOT
    /// include any scope not originally granted"); "the client MUST authenticate with the authorization server" as
    /// for the code exchange (<see cref="ClientCredentials"/>).
    /// </summary>
    public static Either<PkceError, FormPost> Build(PkceConfig config, string refreshToken, Option<string> scope) =>
        string.IsNullOrEmpty(refreshToken)
            ? new PkceError.InvalidValue("refresh token", "missing")
            : ClientCredentials.Post(config.Client, TokenRequest.EndpointName, config.Server.TokenEndpoint,
                Seq(new QueryParameter(WireNames.GrantType, WireNames.RefreshToken), new QueryParameter(WireNames.RefreshToken, refreshToken))
                + scope.Map(s => new QueryParameter(WireNames.Scope, s)).ToSeq());

    /// <summary>
    /// The refresh token a 2xx answer carries, even when the rest of it cannot be used (an unknown token type, a
    /// malformed lifetime): the server has rotated, the old refresh token is spent, and the new one must be kept.
    /// </summary>
    public static Option<string> RotatedRefreshToken(HttpAnswer answer) =>
        // JsonAnswer.Read hands only a 2xx answer to the reader.
        JsonAnswer.Read(answer, (root, _) => Right<PkceError, Option<string>>(
                JsonAnswer.TryString(root, WireNames.RefreshToken, out var token, out string? _) && token is { Length: > 0 } rotated ? Some(rotated) : None))
            .ToOption().Flatten();

    /// <summary>Sends the refresh grant once and parses the answer as a token response.</summary>
    public static EitherAsync<PkceError, TokenResponse> Send(PkceConfig config, HttpPort http, string refreshToken, Option<string> scope, CancellationToken cancellationToken) =>
        Send(config, Dependencies.System(http), refreshToken, scope, cancellationToken);

    /// <summary>
    /// Sends the refresh grant once with <paramref name="deps"/>: with a DPoP binding, with a proof of the same
    /// key (RFC 9449 §5: a public client's refresh token is bound to it) and a <c>DPoP</c> token required back.
    /// </summary>
    public static EitherAsync<PkceError, TokenResponse> Send(PkceConfig config, Dependencies deps, string refreshToken, Option<string> scope, CancellationToken cancellationToken) =>
        Token.Send(config, deps, Build(config, refreshToken, scope), cancellationToken).ToAsync();
}
